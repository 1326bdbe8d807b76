/*
 * Power-cut model for tests (test/support/powercut.ts), loaded with LD_PRELOAD into a child
 * process: every fsync()/fdatasync() of a regular file under $LOCKBOX_POWERCUT_DIR first copies the
 * file to "<file>.durable". The copies are then exactly what a power cut would leave: a file's
 * content as of its last sync, and nothing of what was only written. The test kills the child and
 * puts the copies in place of the files. Only the sync calls are intercepted; everything else is
 * the C library's.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void snapshot(int fd) {
  const char *dir = getenv("LOCKBOX_POWERCUT_DIR");
  if (!dir || !*dir) return;
  char link[64], path[PATH_MAX], copy[PATH_MAX + 16], tmp[PATH_MAX + 24];
  snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
  ssize_t n = readlink(link, path, sizeof path - 1);
  if (n <= 0) return;
  path[n] = 0;
  size_t dirLen = strlen(dir);
  if (strncmp(path, dir, dirLen) != 0 || path[dirLen] != '/') return;
  struct stat st;
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) return;
  snprintf(copy, sizeof copy, "%s.durable", path);
  snprintf(tmp, sizeof tmp, "%s.durable-tmp", path);
  int in = open(path, O_RDONLY);
  int out = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (in >= 0 && out >= 0) {
    char buf[65536];
    ssize_t r;
    while ((r = read(in, buf, sizeof buf)) > 0) {
      if (write(out, buf, (size_t)r) != r) break;
    }
  }
  if (in >= 0) close(in);
  if (out >= 0) {
    close(out);
    rename(tmp, copy);
  }
}

int fsync(int fd) {
  static int (*real)(int);
  if (!real) real = (int (*)(int))dlsym(RTLD_NEXT, "fsync");
  snapshot(fd);
  return real(fd);
}

int fdatasync(int fd) {
  static int (*real)(int);
  if (!real) real = (int (*)(int))dlsym(RTLD_NEXT, "fdatasync");
  snapshot(fd);
  return real(fd);
}
