/*
 * autotune-launch [--cpus LIST] [--policy MODE] [--mems LIST] [--die-with-parent PID] [--preload PATH] -- CMD [ARGS...]
 *
 * Applies a CPU set and a memory policy to itself, then execs CMD, as numactl does. Both are
 * inherited by every thread CMD will create; a memory policy cannot be applied from outside to
 * threads that already exist, and a Node process has several before user code runs, so this is the
 * only way to place a worker from its first instruction. File descriptors are left exactly as they
 * are: the runner passes Node's IPC channel through.
 *
 * --die-with-parent PID: CMD gets SIGKILL when its parent (PID, the process that started the
 * launcher) dies, however it dies; the death signal survives exec. If PID is already gone when
 * the launcher runs, it kills itself at once instead of starting an orphan.
 *
 * --preload PATH: CMD starts with the shared object PATH preloaded (LD_PRELOAD=PATH, replacing an
 * inherited one), the launcher itself not. ld.so skips a preload it cannot open with a message and
 * no error, so an unreadable PATH is refused here instead.
 *
 * Exit codes: 2 usage, 126 the placement (or the preload) was refused, 127 CMD could not be executed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#ifdef __linux__
#include <linux/mempolicy.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#endif

#define EXIT_USAGE 2
#define EXIT_PLACEMENT 126
#define EXIT_EXEC 127
/* Same bounds as src/native/validate.ts. */
#define MAX_CPU_ID 4095
#define MAX_NODE_ID 1023
#define WORD_BITS (8 * sizeof(unsigned long))

static void usage(const char *why) {
  fprintf(stderr,
          "autotune-launch: %s; usage: autotune-launch [--cpus LIST] "
          "[--policy default|bind|preferred|interleave|local] [--mems LIST] [--die-with-parent PID] [--preload PATH] "
          "-- CMD [ARGS...]\n",
          why);
  exit(EXIT_USAGE);
}

static const char *errno_name(int err) {
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 32))
  const char *name = strerrorname_np(err);
  if (name != NULL) return name;
#endif
  static char buf[24];
  snprintf(buf, sizeof buf, "errno %d", err);
  return buf;
}

/* A set of small ids as a bitmask of unsigned longs, the layout both syscalls take. */
struct idset {
  unsigned long words[(MAX_CPU_ID + 1) / (8 * sizeof(unsigned long))];
  int count;
  int highest;
};

/* Kernel list format: ids and ranges, `0-3,8,10-11`. Returns 0 when malformed or out of range. */
static int parse_list(const char *text, int max_id, struct idset *out) {
  memset(out, 0, sizeof *out);
  out->highest = -1;
  const char *p = text;
  if (*p == '\0') return 0;
  for (;;) {
    char *end;
    if (*p < '0' || *p > '9') return 0;
    long lo = strtol(p, &end, 10), hi = lo;
    p = end;
    if (*p == '-') {
      p++;
      if (*p < '0' || *p > '9') return 0;
      hi = strtol(p, &end, 10);
      p = end;
    }
    if (hi < lo || hi > max_id) return 0;
    for (long id = lo; id <= hi; id++) {
      unsigned long bit = 1UL << (id % WORD_BITS);
      if (!(out->words[id / WORD_BITS] & bit)) out->count++;
      out->words[id / WORD_BITS] |= bit;
    }
    if (hi > out->highest) out->highest = (int)hi;
    if (*p == '\0') return 1;
    if (*p++ != ',') return 0;
  }
}

#ifdef __linux__
/* Writes the ids of a mask in list format. */
static void format_list(const unsigned long *words, size_t nwords, char *buf, size_t size) {
  size_t used = 0;
  buf[0] = '\0';
  long start = -1;
  for (size_t id = 0; id <= nwords * WORD_BITS; id++) {
    int set = id < nwords * WORD_BITS && (words[id / WORD_BITS] >> (id % WORD_BITS)) & 1UL;
    if (set && start < 0) start = (long)id;
    if (!set && start >= 0) {
      long last = (long)id - 1;
      int n = last == start ? snprintf(buf + used, size - used, "%s%ld", used ? "," : "", start)
                            : snprintf(buf + used, size - used, "%s%ld-%ld", used ? "," : "", start, last);
      if (n < 0 || (size_t)n >= size - used) return;
      used += (size_t)n;
      start = -1;
    }
  }
}

/* One line naming what was refused; EINVAL here means the ids are not allowed, so say which are. */
static void refuse(const char *what, int err, const char *allowed_kind, const unsigned long *allowed,
                   size_t nwords) {
  if (err == EINVAL && nwords > 0) {
    char hint[4096];
    format_list(allowed, nwords, hint, sizeof hint);
    fprintf(stderr, "autotune-launch: cannot %s: EINVAL (not allowed here; this process may use %s%s)\n",
            what, allowed_kind, hint);
  } else {
    fprintf(stderr, "autotune-launch: cannot %s: %s (%s)\n", what, errno_name(err), strerror(err));
  }
  exit(EXIT_PLACEMENT);
}

static void apply_cpus(const char *list, const struct idset *cpus) {
  unsigned long allowed[sizeof cpus->words / sizeof(unsigned long)] = {0};
  int have_allowed = sched_getaffinity(0, sizeof allowed, (cpu_set_t *)allowed) == 0;
  /* The kernel silently drops CPUs outside the cpuset while one remains; a partial pin is refused. */
  unsigned long after[sizeof cpus->words / sizeof(unsigned long)] = {0};
  int err = 0;
  if (sched_setaffinity(0, sizeof cpus->words, (const cpu_set_t *)cpus->words) != 0) err = errno;
  else if (sched_getaffinity(0, sizeof after, (cpu_set_t *)after) == 0 &&
           memcmp(after, cpus->words, sizeof after) != 0) err = EINVAL;
  if (err != 0) {
    char what[256];
    snprintf(what, sizeof what, "pin to CPUs %s", list);
    refuse(what, err, "", allowed, have_allowed ? sizeof allowed / sizeof allowed[0] : 0);
  }
}

static void apply_mempolicy(int mode, const char *what, const struct idset *mems) {
  long rc = mems->count == 0 ? syscall(SYS_set_mempolicy, mode, NULL, 0UL)
                             : syscall(SYS_set_mempolicy, mode, mems->words,
                                       (unsigned long)(mems->highest + 2));
  if (rc != 0) {
    int err = errno;
    unsigned long allowed[(MAX_NODE_ID + 1) / WORD_BITS] = {0};
    int have_allowed = syscall(SYS_get_mempolicy, NULL, allowed, (unsigned long)(MAX_NODE_ID + 1),
                               NULL, (unsigned long)MPOL_F_MEMS_ALLOWED) == 0;
    refuse(what, err, "nodes ", allowed, have_allowed ? sizeof allowed / sizeof allowed[0] : 0);
  }
}
#endif

int main(int argc, char **argv) {
  const char *cpus_arg = NULL, *mems_arg = NULL, *policy = "default", *parent_arg = NULL, *preload = NULL;
  int i = 1;
  for (; i < argc; i++) {
    if (strcmp(argv[i], "--") == 0) break;
    if (i + 1 >= argc) usage("an option is missing its value");
    if (strcmp(argv[i], "--cpus") == 0) cpus_arg = argv[++i];
    else if (strcmp(argv[i], "--mems") == 0) mems_arg = argv[++i];
    else if (strcmp(argv[i], "--policy") == 0) policy = argv[++i];
    else if (strcmp(argv[i], "--die-with-parent") == 0) parent_arg = argv[++i];
    else if (strcmp(argv[i], "--preload") == 0) preload = argv[++i];
    else usage("unknown option (put the command after --)");
  }
  if (i >= argc - 1) usage("no command given after --");
  char **command = argv + i + 1;

  struct idset cpus, mems;
  if (cpus_arg != NULL && !parse_list(cpus_arg, MAX_CPU_ID, &cpus)) {
    usage("--cpus must be a non-empty list of CPU ids 0-4095 like 0-3,8");
  }
  if (mems_arg != NULL && !parse_list(mems_arg, MAX_NODE_ID, &mems)) {
    usage("--mems must be a non-empty list of node ids 0-1023 like 0,2");
  }
  if (mems_arg == NULL) memset(&mems, 0, sizeof mems);
  long parent = 0;
  if (parent_arg != NULL) {
    char *end;
    parent = strtol(parent_arg, &end, 10);
    if (*parent_arg == '\0' || *end != '\0' || parent < 1) usage("--die-with-parent must be the pid of the parent process");
  }

  /* LD_PRELOAD splits its list at spaces and colons, and searches a relative name in ld.so's path. */
  if (preload != NULL && (preload[0] != '/' || strpbrk(preload, " :\t\n") != NULL)) {
    usage("--preload must be an absolute path without spaces or colons");
  }

  int wants_nodes = strcmp(policy, "bind") == 0 || strcmp(policy, "preferred") == 0 ||
                    strcmp(policy, "interleave") == 0;
  if (!wants_nodes && strcmp(policy, "default") != 0 && strcmp(policy, "local") != 0) {
    usage("--policy must be default, bind, preferred, interleave or local");
  }
  if (wants_nodes && mems.count == 0) usage("--policy bind, preferred and interleave need --mems");
  if (!wants_nodes && mems_arg != NULL) usage("--policy default and local take no --mems");
  if (strcmp(policy, "preferred") == 0 && mems.count != 1) usage("--policy preferred takes exactly one node");

#ifdef __linux__
  if (parent_arg != NULL) {
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) {
      int err = errno;
      fprintf(stderr, "autotune-launch: cannot ask to die with the parent: %s (%s)\n", errno_name(err), strerror(err));
      exit(EXIT_PLACEMENT);
    }
    /* The parent may have died before the death signal was armed: then nobody would send it. */
    if (getppid() != (pid_t)parent) raise(SIGKILL);
  }
  if (cpus_arg != NULL) apply_cpus(cpus_arg, &cpus);
  if (strcmp(policy, "default") != 0) {
    int mode = strcmp(policy, "bind") == 0         ? MPOL_BIND
               : strcmp(policy, "preferred") == 0  ? MPOL_PREFERRED
               : strcmp(policy, "interleave") == 0 ? MPOL_INTERLEAVE
                                                   : MPOL_LOCAL;
    const char *verb = mode == MPOL_BIND        ? "bind memory to nodes "
                       : mode == MPOL_PREFERRED ? "prefer memory on node "
                       : mode == MPOL_INTERLEAVE ? "interleave memory over nodes "
                                                 : "set a local memory policy";
    char what[256];
    snprintf(what, sizeof what, "%s%s", verb, mems_arg != NULL ? mems_arg : "");
    apply_mempolicy(mode, what, &mems);
  }
#else
  if (cpus_arg != NULL || strcmp(policy, "default") != 0 || parent_arg != NULL) {
    fprintf(stderr, "autotune-launch: CPU and memory placement and --die-with-parent are not supported on this platform; "
                    "run without --cpus, --policy and --die-with-parent\n");
    exit(EXIT_PLACEMENT);
  }
#endif

  if (preload != NULL) {
    if (access(preload, R_OK) != 0) {
      int err = errno;
      fprintf(stderr, "autotune-launch: cannot preload %s: %s (%s)\n", preload, errno_name(err), strerror(err));
      exit(EXIT_PLACEMENT);
    }
    /* Set after the launcher started, so only CMD loads it. */
    if (setenv("LD_PRELOAD", preload, 1) != 0) {
      int err = errno;
      fprintf(stderr, "autotune-launch: cannot set LD_PRELOAD: %s (%s)\n", errno_name(err), strerror(err));
      exit(EXIT_PLACEMENT);
    }
  }

  execvp(command[0], command);
  int err = errno;
  fprintf(stderr, "autotune-launch: cannot run %s: %s (%s)\n", command[0], errno_name(err), strerror(err));
  return EXIT_EXEC;
}
