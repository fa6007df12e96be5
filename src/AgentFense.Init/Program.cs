using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace AgentFense.Init;

/// <summary>
/// agentfense-init: PID 1 of a box (or a plain child process in tests). Usage:
/// <c>agentfense-init [--fd N]</c> — serves the engine on the inherited socket N (default 3).
/// </summary>
internal static class Program
{
    private static int Main(string[] args)
    {
        var fd = 3;
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] == "--fd" && i + 1 < args.Length && int.TryParse(args[i + 1], out var n) && n >= 0)
            {
                fd = n;
                i++;
            }
            else
            {
                InitServer.Log($"usage: agentfense-init [--fd N] (unknown argument '{args[i]}')");
                return 2;
            }
        }
        var socket = new SafeFileHandle(fd, ownsHandle: true);
        if (Interop.Libc.fcntl(socket, Interop.Libc.F_GETFD, 0) < 0)
        {
            InitServer.Log($"fd {fd} is not open (errno {Marshal.GetLastPInvokeError()})");
            return 2;
        }
        Prepare();
        InitServer.SetNonBlocking(socket);
        return new InitServer(socket).Run();
    }

    /// <summary>Process-wide setup, in order; each step is best effort and says so when it fails.</summary>
    private static void Prepare()
    {
        // Orphans of the commands come to init (already so as PID 1 of a pid namespace).
        if (Interop.Libc.prctl(Interop.Libc.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0)
            InitServer.Log($"prctl(PR_SET_CHILD_SUBREAPER, 1) failed: errno {Marshal.GetLastPInvokeError()}");
        // A write to a closed socket or pipe must return EPIPE, not kill init.
        Interop.Libc.signal(Interop.Libc.SIGPIPE, Interop.Libc.SIG_IGN);
        // Nothing init inherited may leak into commands: the socket and any stray descriptor become close-on-exec.
        if (Interop.Libc.close_range(3, uint.MaxValue, Interop.Libc.CLOSE_RANGE_CLOEXEC) != 0)
            InitServer.Log($"close_range(3, ~0, CLOSE_RANGE_CLOEXEC) failed: errno {Marshal.GetLastPInvokeError()}");
        // fds 0-2 must be taken, or a pipe could land there and be clobbered by a child's dup2.
        while (true)
        {
            var devNull = Interop.Libc.openat(-100, "/dev/null", Interop.Libc.O_RDWR, 0);
            if (devNull < 0 || devNull > 2)
            {
                if (devNull > 2)
                    Interop.Libc.close(devNull);
                break;
            }
        }
    }
}
