using System.Globalization;
using System.Net.Sockets;
using AgentFense.Runtime.Boxes;

namespace AgentFense.Runtime.Bubblewrap;

/// <summary>
/// slirp4netns serving a box's network namespace: a tap device with 10.0.2.100/24, gateway
/// 10.0.2.2 and DNS 10.0.2.3, outbound only, with the host's loopback unreachable
/// (<c>--disable-host-loopback</c>), so a box never reaches the engine's API or other local
/// services. It runs on the host side, exits when its exit descriptor closes (our end is held
/// for the box's life and closes with the engine), and sits in the box's cgroup.
/// </summary>
internal sealed class SlirpNetwork : IDisposable
{
    private readonly Socket _exit;

    private SlirpNetwork(int pid, Socket exit, Task<int> exited)
    {
        Pid = pid;
        _exit = exit;
        Exited = exited;
    }

    public int Pid { get; }

    public Task<int> Exited { get; }

    /// <summary>Starts slirp4netns for the namespace of <paramref name="boxPid"/> and waits until the tap is configured.</summary>
    public static async Task<SlirpNetwork> StartAsync(string program, int boxPid, bool ownUserNamespace, int logFd, CancellationToken cancellationToken)
    {
        var (ready, readyChild) = Descriptors.SocketPair();
        var (exit, exitChild) = Descriptors.SocketPair();
        int pid;
        try
        {
            var argv = new List<string> { program, "--configure", "--mtu=65520", "--disable-host-loopback", "--ready-fd=3", "--exit-fd=4" };
            if (ownUserNamespace)
                argv.Add($"--userns-path=/proc/{boxPid.ToString(CultureInfo.InvariantCulture)}/ns/user");
            argv.AddRange([boxPid.ToString(CultureInfo.InvariantCulture), "tap0"]);
            pid = await SpawnThread.SpawnAsync(program, argv, [], [(logFd, 1), (logFd, 2), (readyChild, 3), (exitChild, 4)]).ConfigureAwait(false);
        }
        catch
        {
            ready.Dispose();
            exit.Dispose();
            throw;
        }
        finally
        {
            Descriptors.Close(readyChild, exitChild);
        }
        var exited = ProcessWatcher.WaitAsync(pid, reap: true);
        var network = new SlirpNetwork(pid, exit, exited);
        try
        {
            using (ready)
            {
                var buffer = new byte[1];
                var read = ready.ReceiveAsync(buffer, SocketFlags.None, cancellationToken).AsTask();
                if (await Task.WhenAny(read, exited).ConfigureAwait(false) != read || await read.ConfigureAwait(false) != 1)
                    throw new BoxException($"slirp4netns for box pid {boxPid} exited before it was ready (exit {await exited.ConfigureAwait(false)})");
            }
            return network;
        }
        catch
        {
            network.Dispose();
            throw;
        }
    }

    /// <summary>Ends slirp4netns (closing its exit descriptor, then SIGKILL if it lingers).</summary>
    public void Dispose()
    {
        _exit.Dispose();
        if (!Exited.Wait(TimeSpan.FromSeconds(2)))
            Interop.Libc.kill(Pid, Interop.Libc.SIGKILL);
    }
}
