// An OS pipe for a git child's output that a worker thread reads with blocking reads: Node's
// child_process hands the parent a libuv stream, which only the thread that spawned the child can
// read, through its event loop. Both ends are close-on-exec, so no other child inherits the write
// end (which would keep the reader from ever seeing end-of-file).
#include <node_api.h>

#if defined(__unix__) || defined(__APPLE__)
#include <fcntl.h>
#include <unistd.h>
#define KW_HAVE_PIPE 1
#endif

namespace {

#ifdef KW_HAVE_PIPE
bool CloseOnExec(int fd) {
  const int flags = fcntl(fd, F_GETFD);
  return flags != -1 && fcntl(fd, F_SETFD, flags | FD_CLOEXEC) != -1;
}

// osPipe(capacity: number): [readFd, writeFd], or undefined when no pipe could be made.
// On Linux the pipe's buffer is grown towards `capacity` bytes (best effort: the system caps it),
// so the writer runs that far ahead of a reader that is busy with what it read.
napi_value OsPipe(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_value undefined;
  napi_get_undefined(env, &undefined);
  if (napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr) != napi_ok) return undefined;
  int64_t capacity = 0;
  if (argc >= 1 && napi_get_value_int64(env, argv[0], &capacity) != napi_ok) capacity = 0;
  int fds[2];
#if defined(__linux__)
  if (pipe2(fds, O_CLOEXEC) != 0) return undefined;
#else
  if (pipe(fds) != 0) return undefined;
  if (!CloseOnExec(fds[0]) || !CloseOnExec(fds[1])) {
    close(fds[0]);
    close(fds[1]);
    return undefined;
  }
#endif
#if defined(__linux__) && defined(F_SETPIPE_SZ)
  // the system's limit (/proc/sys/fs/pipe-max-size, 1 MiB by default) may refuse a larger size:
  // halve until it is taken or the default remains
  for (int64_t size = capacity; size > 65536; size /= 2) {
    if (fcntl(fds[1], F_SETPIPE_SZ, static_cast<int>(size)) != -1) break;
  }
#endif
  napi_value out, r, w;
  if (napi_create_array_with_length(env, 2, &out) != napi_ok || napi_create_int32(env, fds[0], &r) != napi_ok ||
      napi_create_int32(env, fds[1], &w) != napi_ok || napi_set_element(env, out, 0, r) != napi_ok ||
      napi_set_element(env, out, 1, w) != napi_ok) {
    close(fds[0]);
    close(fds[1]);
    return undefined;
  }
  return out;
}
#endif

}  // namespace

// Called from the module's init (prefilter.cc): adds osPipe where the platform has pipes.
void RegisterOsPipe(napi_env env, napi_value exports) {
#ifdef KW_HAVE_PIPE
  napi_value fn;
  if (napi_create_function(env, "osPipe", NAPI_AUTO_LENGTH, OsPipe, nullptr, &fn) == napi_ok) napi_set_named_property(env, exports, "osPipe", fn);
#else
  (void)env;
  (void)exports;
#endif
}
