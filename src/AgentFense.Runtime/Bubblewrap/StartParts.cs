using System.Net.Sockets;
using AgentFense.Runtime.Cgroups;
using AgentFense.Runtime.Init;

namespace AgentFense.Runtime.Bubblewrap;

/// <summary>What a box start has made so far, so a failure can undo exactly that.</summary>
internal sealed class StartParts(Cgroup cgroup)
{
    public Cgroup Cgroup { get; } = cgroup;

    public BoxLog? Log { get; set; }

    /// <summary>Our copy of the log's writing end, kept until slirp4netns (a later writer) is spawned.</summary>
    public int LogChild { get; set; } = -1;

    public Socket? Socket { get; set; }

    public int BwrapPid { get; set; }

    public Task<int>? BwrapExit { get; set; }

    public int BoxPid { get; set; }

    public int BoxPidFd { get; set; } = -1;

    public SlirpNetwork? Network { get; set; }

    public InitClient? Client { get; set; }

    public void CloseLogChild()
    {
        Descriptors.Close(LogChild);
        LogChild = -1;
    }

    /// <summary>Kills and reaps what was started, removes the cgroup; returns the box log's tail.</summary>
    public async Task<string> TearDownAsync()
    {
        CloseLogChild();
        if (Client is not null)
            await Client.DisposeAsync().ConfigureAwait(false);
        Socket?.Dispose();
        Network?.Dispose();
        var bwrap = BwrapPid;
        try
        {
            await Cgroup.KillAndRemoveAsync(pid =>
            {
                if (pid != bwrap)
                    ProcessWatcher.TryReap(pid);
            }).ConfigureAwait(false);
        }
        catch (IOException)
        {
            // Reported through the start failure; the next sweep removes it.
        }
        if (BwrapExit is not null)
            await BwrapExit.ConfigureAwait(false);
        if (BoxPid > 0)
        {
            await ProcessWatcher.WaitAsync(BoxPid, BoxPidFd, reap: true).ConfigureAwait(false);
            BoxPidFd = -1;
        }
        if (Log is not null)
        {
            await Task.WhenAny(Log.Completion, Task.Delay(500)).ConfigureAwait(false);
            Log.Dispose();
            return Log.Tail;
        }
        return string.Empty;
    }
}
