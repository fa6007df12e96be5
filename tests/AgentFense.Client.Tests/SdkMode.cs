extern alias server;
using AgentFense.Embedded;
using AgentFense.TestSupport;
using AgentFenseServer = server::AgentFense.Server.AgentFenseServer;
using ServerOptions = server::AgentFense.Server.ServerOptions;

namespace AgentFense.Client.Tests;

/// <summary>
/// Where the shared suite's sandboxes run: a real server on free loopback ports (remote) or the in-process
/// engine (embedded). Started on first use, after the test's capability checks, and stopped with the class.
/// </summary>
public abstract class SdkMode : IAsyncDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private bool _started;

    /// <summary>The mode's name, for messages.</summary>
    public abstract string Name { get; }

    /// <summary>Options that make a sandbox run in this mode.</summary>
    public async Task<SandboxOptions> OptionsAsync(SandboxOptions? options = null)
    {
        await _gate.WaitAsync(TestContext.Current.CancellationToken);
        try
        {
            if (!_started)
            {
                await StartAsync();
                _started = true;
            }
        }
        finally
        {
            _gate.Release();
        }
        return Apply(options ?? new SandboxOptions());
    }

    /// <summary>True when the sandbox's mount is gone from the host and the backend no longer knows it.</summary>
    public abstract Task<bool> IsGoneAsync(string sandboxId);

    protected abstract Task StartAsync();

    protected abstract SandboxOptions Apply(SandboxOptions options);

    public abstract ValueTask DisposeAsync();

    /// <summary>True when a mount of the host names <paramref name="sandboxId"/>.</summary>
    protected static bool IsMounted(string sandboxId) =>
        File.ReadAllText("/proc/self/mountinfo").Contains(sandboxId, StringComparison.Ordinal);
}

/// <summary>A real AgentFenseServer in this process, with real bwrap boxes, over a temp data directory.</summary>
public sealed class RemoteMode : SdkMode
{
    private readonly TempDirectory _data = new("agentfense-sdk-server-");
    private AgentFenseServer? _server;

    /// <summary>The one directory under which the server lets codebases be registered in place.</summary>
    public TempDirectory RegisterRoot { get; } = new("agentfense-sdk-register-");

    public override string Name => "remote";

    public string Endpoint { get; private set; } = "";

    public string DataDirectory => _data.Path;

    public SandboxClient NewClient(SandboxClientOptions? options = null) =>
        new((options ?? new SandboxClientOptions()) with { Endpoint = Endpoint });

    protected override async Task StartAsync()
    {
        _server = await AgentFenseServer.StartAsync(new ServerOptions
        {
            GrpcAddress = "127.0.0.1:0",
            HttpAddress = "127.0.0.1:0",
            DataDirectory = _data.Path,
            InitPath = InitBinary.Path,
            CgroupGroupName = $"agentfense-sdk-{Guid.NewGuid():N}"[..24],
            BubblewrapStateDirectory = "/run/agentfense-tests",
            ShutdownGrace = TimeSpan.FromSeconds(1),
            ExpiryInterval = TimeSpan.FromMilliseconds(100),
            RegisterAllowedDirectories = [RegisterRoot.Path],
        }, TestContext.Current.CancellationToken);
        Endpoint = $"127.0.0.1:{_server.GrpcEndPoint.Port}";
    }

    protected override SandboxOptions Apply(SandboxOptions options) =>
        options with { Client = (options.Client ?? new SandboxClientOptions()) with { Endpoint = Endpoint } };

    public override async Task<bool> IsGoneAsync(string sandboxId)
    {
        using var client = NewClient();
        try
        {
            await client.GetSandboxAsync(sandboxId);
            return false;
        }
        catch (SandboxNotFoundException)
        {
            return !IsMounted(sandboxId) && !Directory.Exists(Path.Combine(_data.Path, "mounts", sandboxId))
                && !Directory.Exists(Path.Combine(_data.Path, "deltas", sandboxId));
        }
    }

    public override async ValueTask DisposeAsync()
    {
        if (_server is not null)
            await _server.DisposeAsync();
        _data.Dispose();
        RegisterRoot.Dispose();
    }
}

/// <summary>The in-process engine with the test's init binary, its own data directory and cgroup group.</summary>
public sealed class EmbeddedMode : SdkMode
{
    private readonly TempDirectory _data = new("agentfense-sdk-embedded-");

    public override string Name => "embedded";

    public EmbeddedBackend Backend { get; private set; } = null!;

    protected override async Task StartAsync() =>
        Backend = await EmbeddedBackend.StartAsync(new EmbeddedOptions
        {
            InitPath = InitBinary.Path,
            DataDirectory = _data.Path,
            CgroupGroupName = $"agentfense-sdk-{Guid.NewGuid():N}"[..24],
        }, TestContext.Current.CancellationToken);

    protected override SandboxOptions Apply(SandboxOptions options) => options with { Backend = Backend };

    public override Task<bool> IsGoneAsync(string sandboxId) =>
        Task.FromResult(!Backend.ListSandboxes().Any(s => s.Id == sandboxId) && !Backend.Manager.List().Any(r => r.Id == sandboxId)
            && !IsMounted(sandboxId) && !Directory.Exists(Backend.Manager.MountPath(sandboxId)) && !Directory.Exists(Backend.Manager.DeltaPath(sandboxId)));

    public override async ValueTask DisposeAsync()
    {
        if (Backend is not null)
            await Backend.DisposeAsync();
        _data.Dispose();
    }
}
