{
  "targets": [
    {
      "target_name": "keywarden_prefilter",
      "sources": ["native/prefilter.cc", "native/os-pipe.cc"],
      "cflags_cc": ["-O3", "-std=c++17"]
    }
  ]
}
