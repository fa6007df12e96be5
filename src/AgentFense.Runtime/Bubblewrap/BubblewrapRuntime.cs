using System.Net.Sockets;
using System.Text;
using AgentFense.Runtime.Boxes;
using AgentFense.Runtime.Cgroups;
using AgentFense.Runtime.Init;
using AgentFense.Runtime.Seccomp;

namespace AgentFense.Runtime.Bubblewrap;

/// <summary>
/// Boxes made by bubblewrap, with agentfense-init as PID 1.
/// </summary>
/// <remarks>
/// Start sequence (each step checked; a failure tears down what exists, in reverse):
/// 1. create the box cgroup and write its limits;
/// 2. spawn bwrap from the spawn thread with init's socket (fd 3), the seccomp program, an info
///    and a block descriptor and one pipe per synthesized /etc file; stdout/stderr go to the box log;
/// 3. move bwrap into the cgroup, read the box's pid from the info descriptor and move it too —
///    the box is blocked on the block descriptor before exec, so nothing can fork out first;
/// 4. with network, start slirp4netns on the box's namespace and wait until it is configured;
/// 5. unblock the box: bwrap has set up mounts, no_new_privs and seccomp; setpriv (as root) or
///    the user namespace (not root) makes it the box user; it execs init;
/// 6. wait for init's Hello.
/// This process becomes a child subreaper, so a box's init orphaned by bwrap comes back to us and
/// is reaped (bwrap may return before its inner pid 1 has finished dying).
/// </remarks>
public sealed class BubblewrapRuntime : IBoxRuntime
{
    private readonly BubblewrapRuntimeOptions _options;
    private readonly HostLayout _host = HostLayout.Probe();
    private readonly bool _asRoot = Environment.UserName == "root" || IsRoot();
    private readonly InitBinaryCopies _initCopies;

    /// <summary>Creates the runtime (becomes a child subreaper, detects cgroups).</summary>
    public BubblewrapRuntime(BubblewrapRuntimeOptions? options = null)
    {
        _options = options ?? new BubblewrapRuntimeOptions();
        Cgroups = _options.Cgroups ?? CgroupManager.Detect();
        _initCopies = new InitBinaryCopies(_options.StateDirectory);
        BecomeSubreaper();
    }

    /// <inheritdoc />
    public string Name => "bwrap";

    /// <summary>The cgroups the boxes live in (call <see cref="CgroupManager.SweepAsync"/> at engine start).</summary>
    public CgroupManager Cgroups { get; }

    /// <summary>Makes this process a child subreaper (<c>PR_SET_CHILD_SUBREAPER</c>), once per process.</summary>
    public static void BecomeSubreaper()
    {
        if (Interop.Libc.prctl(Interop.Libc.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0)
            throw new BoxException($"prctl(PR_SET_CHILD_SUBREAPER, 1) failed: errno {System.Runtime.InteropServices.Marshal.GetLastPInvokeError()}");
    }

    /// <summary>The bwrap argv for <paramref name="spec"/> as this runtime would run it (for logs and tests).</summary>
    public IReadOnlyList<string> DescribeCommand(BoxSpec spec) =>
        [_options.BwrapPath, .. BubblewrapArguments.Build(spec, EtcFiles.Build(spec), _host, _initCopies.Get(spec.InitPath), _asRoot, _options.SetprivPath)];

    /// <inheritdoc />
    public async Task<Box> StartAsync(BoxSpec spec, CancellationToken cancellationToken = default)
    {
        spec.Validate();
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.StartTimeout);
        var initCopy = _initCopies.Get(spec.InitPath);
        var etc = EtcFiles.Build(spec);
        var argv = BubblewrapArguments.Build(spec, etc, _host, initCopy, _asRoot, _options.SetprivPath);
        var cgroup = Cgroups.Create(spec.Id, spec.Limits);
        var parts = new StartParts(cgroup);
        try
        {
            await LaunchAsync(spec, etc, argv, parts, timeout.Token).ConfigureAwait(false);
            var box = new BubblewrapBox(spec, parts.Client!, parts.BwrapPid, parts.BoxPid, parts.BoxPidFd, parts.BwrapExit!, cgroup, parts.Network, parts.Log!, parts.Socket!);
            parts.BoxPidFd = -1;
            return box;
        }
        catch (Exception e)
        {
            var log = await parts.TearDownAsync().ConfigureAwait(false);
            if (e is BoxException)
                throw new BoxException($"{e.Message}{(log.Length > 0 ? $"; box log: {log}" : "")}", e);
            if (e is OperationCanceledException && !cancellationToken.IsCancellationRequested)
                throw new BoxException($"box {spec.Id} did not start within {_options.StartTimeout}; box log: {log}", e);
            if (e is OperationCanceledException)
                throw;
            throw new BoxException($"box {spec.Id} failed to start: {e.Message}; box log: {log}", e);
        }
    }

    private async Task LaunchAsync(BoxSpec spec, EtcFiles etc, List<string> argv, StartParts parts, CancellationToken cancellationToken)
    {
        var (log, logChild) = Descriptors.SocketPair();
        parts.Log = new BoxLog(log);
        parts.LogChild = logChild;
        var (socket, socketChild) = Descriptors.SocketPair();
        parts.Socket = socket;
        var (info, infoChild) = Descriptors.SocketPair();
        var (block, blockChild) = Descriptors.SocketPair();
        using var infoOwned = info;
        using var blockOwned = block;
        var childFds = new List<int> { socketChild, infoChild, blockChild };
        try
        {
            var fds = new List<(int, int)>
            {
                (logChild, 1), (logChild, 2), (socketChild, BubblewrapArguments.InitSocketFd),
                (infoChild, BubblewrapArguments.InfoFd), (blockChild, BubblewrapArguments.BlockFd),
            };
            var seccomp = Descriptors.FilledPipe(SeccompFilter.Default.ToBytes());
            childFds.Add(seccomp);
            fds.Add((seccomp, BubblewrapArguments.SeccompFd));
            var next = BubblewrapArguments.FirstFileFd;
            foreach (var (_, content) in etc.Files)
            {
                var fd = Descriptors.FilledPipe(content);
                childFds.Add(fd);
                fds.Add((fd, next++));
            }
            parts.BwrapPid = await SpawnThread.SpawnAsync(_options.BwrapPath, [_options.BwrapPath, .. argv], [], fds).ConfigureAwait(false);
        }
        finally
        {
            foreach (var fd in childFds)
                Descriptors.Close(fd);
        }
        parts.BwrapExit = ProcessWatcher.WaitAsync(parts.BwrapPid, reap: true);
        parts.Cgroup.AddProcess(parts.BwrapPid);
        parts.BoxPid = await ReadChildPidAsync(info, parts.BwrapExit, cancellationToken).ConfigureAwait(false);
        parts.BoxPidFd = Interop.Libc.pidfd_open(parts.BoxPid);
        parts.Cgroup.AddProcess(parts.BoxPid);
        if (spec.Network)
        {
            parts.Network = await SlirpNetwork.StartAsync(_options.Slirp4netnsPath, parts.BoxPid, !_asRoot, parts.LogChild, cancellationToken).ConfigureAwait(false);
            parts.Cgroup.AddProcess(parts.Network.Pid);
        }
        parts.CloseLogChild();
        await block.SendAsync(new byte[] { 1 }, SocketFlags.None, cancellationToken).ConfigureAwait(false);
        var connect = InitClient.ConnectAsync(socket, cancellationToken);
        if (await Task.WhenAny(connect, parts.BwrapExit).ConfigureAwait(false) != connect)
            throw new BoxException($"box {spec.Id} exited (code {await parts.BwrapExit.ConfigureAwait(false)}) before init was ready");
        parts.Client = await connect.ConfigureAwait(false);
    }

    /// <summary>Reads bwrap's info JSON (<c>{"child-pid": N, ...}</c>) until the pid is complete.</summary>
    private static async Task<int> ReadChildPidAsync(Socket info, Task<int> bwrapExit, CancellationToken cancellationToken)
    {
        var text = new StringBuilder();
        var buffer = new byte[512];
        while (true)
        {
            var receive = info.ReceiveAsync(buffer, SocketFlags.None, cancellationToken).AsTask();
            if (await Task.WhenAny(receive, bwrapExit).ConfigureAwait(false) != receive && !receive.IsCompleted)
                throw new BoxException($"bwrap exited (code {await bwrapExit.ConfigureAwait(false)}) before the box was created");
            var n = await receive.ConfigureAwait(false);
            if (n == 0)
                throw new BoxException($"bwrap closed its info descriptor without a child pid: '{text}'");
            text.Append(Encoding.UTF8.GetString(buffer, 0, n));
            if (TryParseChildPid(text.ToString(), out var pid))
                return pid;
        }
    }

    /// <summary>Finds <c>"child-pid": N</c> followed by a delimiter in bwrap's info JSON.</summary>
    internal static bool TryParseChildPid(string json, out int pid)
    {
        pid = 0;
        var key = json.IndexOf("\"child-pid\"", StringComparison.Ordinal);
        if (key < 0)
            return false;
        var i = json.IndexOf(':', key);
        if (i < 0)
            return false;
        i++;
        while (i < json.Length && char.IsWhiteSpace(json[i]))
            i++;
        var start = i;
        while (i < json.Length && char.IsAsciiDigit(json[i]))
            i++;
        return i > start && i < json.Length && int.TryParse(json.AsSpan(start, i - start), System.Globalization.CultureInfo.InvariantCulture, out pid) && pid > 0;
    }

    private static bool IsRoot()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("Uid:", StringComparison.Ordinal))
                return line.Split('\t', StringSplitOptions.RemoveEmptyEntries)[2] == "0";
        }
        return false;
    }
}
