/* Calls each syscall the box filter refuses, with arguments that are harmless (and fail with
 * something other than EPERM) where no filter is installed, and prints "name errno" per call
 * (0 when it succeeded). Built with gcc by SeccompBoxTests at test time. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static void report(const char *name, long result)
{
    printf("%s %d\n", name, result < 0 ? errno : 0);
}

#define PROBE(name, ...) do { errno = 0; report(#name, syscall(SYS_##name, __VA_ARGS__)); } while (0)

int main(void)
{
    PROBE(mount, 0, 0, 0, 0, 0);
    PROBE(umount2, "/nonexistent/agentfense", 0);
    PROBE(pivot_root, 0, 0);
    PROBE(ptrace, 2 /* PTRACE_PEEKDATA */, 0x7ffffff0, 0, 0);
    PROBE(kexec_load, 0, 0, 0, 0xdead0000UL);
    PROBE(kexec_file_load, -1, -1, 0, 0, 0xdead0000UL);
    PROBE(init_module, 0, 0, 0);
    PROBE(finit_module, -1, 0, 0);
    PROBE(delete_module, "agentfense_no_such_module", O_NONBLOCK);
    PROBE(bpf, -1, 0, 0);
    PROBE(perf_event_open, 0, 0, -1, -1, 0);
    PROBE(keyctl, -1, 0, 0, 0, 0);
    PROBE(add_key, "agentfense-no-such-type", "d", 0, 0, 0);
    PROBE(request_key, "agentfense-no-such-type", "d", 0, 0);
    PROBE(reboot, 0, 0, 0, 0);
    PROBE(swapon, 0, 0);
    PROBE(swapoff, 0);
    PROBE(setns, -1, 0);
    PROBE(open_by_handle_at, -1, 0, 0);
    PROBE(iopl, 0);
    PROBE(ioperm, 0, 0, 0);
    PROBE(acct, "/nonexistent/agentfense");
    PROBE(settimeofday, 0, 0);
    PROBE(clock_settime, 0, 0);
    PROBE(clone3, 0, 0);
    errno = 0;
    long child = syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0);
    if (child == 0)
        _exit(0);
    if (child > 0)
        waitpid((pid_t)child, 0, 0);
    report("clone_newuser", child);
    /* Last: on success it moves this probe into a new user namespace. */
    PROBE(unshare, CLONE_NEWUSER);
    return 0;
}
