using System.Diagnostics;

namespace AgentFense.Init;

internal sealed partial class InitServer
{
    /// <summary>
    /// SIGKILLs every process whose session id is <paramref name="sid"/> (read from /proc/[pid]/stat),
    /// except <paramref name="except"/>: what a command left behind after leaving its process group
    /// (a child that called setpgid, a job-control shell) is still in the session setsid gave it.
    /// </summary>
    private static void KillSession(int sid, int except)
    {
        foreach (var pid in EnumeratePids())
        {
            if (pid != except && pid != sid && ReadStat(pid, out _, out var session) && session == sid)
                Interop.Libc.kill(pid, Interop.Libc.SIGKILL);
        }
    }

    private static IEnumerable<int> EnumeratePids()
    {
        foreach (var dir in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(dir.AsSpan()), out var pid))
                yield return pid;
        }
    }

    /// <summary>Reads ppid and session from /proc/[pid]/stat (fields 4 and 6, after the parenthesized name).</summary>
    private static bool ReadStat(int pid, out int ppid, out int session)
    {
        ppid = session = 0;
        string stat;
        try
        {
            stat = File.ReadAllText($"/proc/{pid}/stat");
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
        var fields = stat.AsSpan(stat.LastIndexOf(')') + 2);
        Span<Range> parts = stackalloc Range[6];
        if (fields.Split(parts, ' ') < 5)
            return false;
        return int.TryParse(fields[parts[1]], out ppid) && int.TryParse(fields[parts[3]], out session);
    }

    /// <summary>The engine is gone: kill every group init started and every process reparented to it, and reap them.</summary>
    private unsafe void KillEverything()
    {
        foreach (var job in _jobs.Values)
            KillGroupAndSession(job);
        foreach (var session in _sessions.Values)
            KillGroupAndSession(session.Shell);
        var self = Environment.ProcessId;
        var deadline = Stopwatch.GetTimestamp() + 2 * Stopwatch.Frequency;
        while (Stopwatch.GetTimestamp() < deadline)
        {
            var children = 0;
            foreach (var pid in EnumeratePids())
            {
                if (pid != self && ReadStat(pid, out var ppid, out _) && ppid == self)
                {
                    Interop.Libc.kill(pid, Interop.Libc.SIGKILL);
                    children++;
                }
            }
            int status;
            while (Interop.Libc.waitpid(-1, &status, Interop.Libc.WNOHANG) > 0)
            {
            }
            if (children == 0)
                return;
            Thread.Sleep(1);
        }
    }

    private static void KillGroupAndSession(Job job)
    {
        if (job.Pid <= 0)
            return;
        if (!job.Exited)
            Interop.Libc.kill(-job.Pid, Interop.Libc.SIGKILL);
        KillSession(job.Pid, except: 0);
    }
}
