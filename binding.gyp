{
  "targets": [
    {
      "target_name": "keywarden_prefilter",
      "sources": ["native/prefilter.cc"],
      "cflags_cc": ["-O3", "-std=c++17"]
    }
  ]
}
