using System.CommandLine;
using System.Runtime.InteropServices;
using AgentFense.Engine;
using AgentFense.Server;

namespace AgentFense.Cli.Commands;

/// <summary>
/// <c>agentfense serve</c>: the <c>sandbox.v1</c> API (gRPC on one address, REST JSON on another) over the data
/// directory until SIGINT/SIGTERM; then it stops listening and stops every running box (deltas, codebases
/// and metadata are kept for the next start). API keys come from <c>--config FILE</c> and
/// <c>AGENTFENSE_API_KEYS</c>; without keys only loopback addresses are accepted unless <c>--insecure</c> is
/// given (exit 2 otherwise). Options given on the command line win over the file.
/// </summary>
internal static class ServeCommand
{
    public static Command Create(CliConsole console)
    {
        var grpc = new Option<string?>("--grpc")
        {
            Description = $"gRPC address, HOST:PORT (HTTP/2 without TLS) [default: {ServerOptions.DefaultGrpcAddress}]",
            HelpName = "ADDR",
        };
        var http = new Option<string?>("--http")
        {
            Description = $"REST address, HOST:PORT (HTTP/1.1 JSON) [default: {ServerOptions.DefaultHttpAddress}]",
            HelpName = "ADDR",
        };
        var config = new Option<string?>("--config")
        {
            Description = "JSON configuration file: {\"grpc\": ADDR, \"http\": ADDR, \"data\": DIR, " +
                          "\"apiKeys\": [{\"key\": KEY, \"owner\": OWNER}]}; command-line options win over it",
            HelpName = "FILE",
        };
        var insecure = new Option<bool>("--insecure")
        {
            Description = "Allow non-loopback addresses without API keys (anyone who can connect controls the server)",
        };
        var data = new Option<string?>("--data")
        {
            Description = "Data directory: metadata (agentfense.db), codebases, deltas " +
                          $"(default $AGENTFENSE_DATA_DIR, else {SandboxManagerOptions.DefaultDataDirectory})",
            HelpName = "DIR",
        };
        var serve = new Command("serve",
            "Serve the sandbox.v1 API (gRPC and REST) until interrupted. Authentication: API keys from --config (apiKeys) and " +
            $"${ServeConfiguration.ApiKeysVariable} (OWNER1:KEY1,OWNER2:KEY2); with keys every call except health checks and " +
            "reflection needs 'authorization: Bearer KEY' and each owner sees only its own codebases, sandboxes and sessions " +
            "(codebase owner_id is the key's owner). Without keys only loopback addresses are accepted unless --insecure. " +
            "AGENTFENSE_CGROUP_GROUP names the cgroup group of its boxes (default agentfense; swept at start, so two " +
            "servers on one machine need two groups) and AGENTFENSE_STATE_DIR the boxes' runtime state directory. " +
            "AGENTFENSE_DEFAULT_RUNTIME (bwrap or docker) and AGENTFENSE_DEFAULT_IMAGE apply to sandboxes whose request names none; " +
            "docker boxes use the daemon at DOCKER_HOST, else /var/run/docker.sock.")
        {
            grpc, http, data, config, insecure,
        };
        serve.SetAction((result, cancellationToken) =>
        {
            var file = result.GetValue(config) is { } path ? Load(path) : new ServeConfiguration();
            IReadOnlyDictionary<string, string> keys = file.ApiKeys;
            if (Environment.GetEnvironmentVariable(ServeConfiguration.ApiKeysVariable) is { Length: > 0 } variable)
            {
                try
                {
                    keys = ServeConfiguration.Merge(keys, ServeConfiguration.ParseApiKeys(variable));
                }
                catch (FormatException e)
                {
                    throw new UsageException(e.Message);
                }
            }
            return RunAsync(result.GetValue(grpc) ?? file.Grpc ?? ServerOptions.DefaultGrpcAddress,
                result.GetValue(http) ?? file.Http ?? ServerOptions.DefaultHttpAddress,
                result.GetValue(data) ?? file.Data, keys, result.GetValue(insecure), console, cancellationToken);
        });
        return serve;
    }

    private static ServeConfiguration Load(string path)
    {
        try
        {
            return ServeConfiguration.Load(path);
        }
        catch (FormatException e)
        {
            throw new UsageException(e.Message);
        }
    }

    private static async Task<int> RunAsync(string grpc, string http, string? data, IReadOnlyDictionary<string, string> keys, bool insecure,
        CliConsole console, CancellationToken cancellationToken)
    {
        var allowNonLoopback = insecure || keys.Count > 0;
        CheckAddress("--grpc", grpc, allowNonLoopback);
        CheckAddress("--http", http, allowNonLoopback);
        var initPath = RunCommand.LocateInit() ?? throw new IOException(
            "agentfense-init not found: set AGENTFENSE_INIT_PATH or place it next to the agentfense binary (the ./agentfense script does both)");
        var dataDirectory = data
            ?? (Environment.GetEnvironmentVariable("AGENTFENSE_DATA_DIR") is { Length: > 0 } d ? d : SandboxManagerOptions.DefaultDataDirectory);

        var stop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.TrySetResult(); });
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.TrySetResult(); });
        using var cancel = cancellationToken.Register(() => stop.TrySetResult());
        var server = await AgentFenseServer.StartAsync(new ServerOptions
        {
            GrpcAddress = grpc,
            HttpAddress = http,
            DataDirectory = dataDirectory,
            InitPath = initPath,
            ApiKeys = keys,
            AllowNonLoopback = insecure,
            CgroupGroupName = CgroupGroup(),
            BubblewrapStateDirectory = Environment.GetEnvironmentVariable("AGENTFENSE_STATE_DIR") is { Length: > 0 } state ? state : null,
            DefaultRuntime = Environment.GetEnvironmentVariable("AGENTFENSE_DEFAULT_RUNTIME") is { Length: > 0 } runtime ? runtime : "bwrap",
            DefaultImage = Environment.GetEnvironmentVariable("AGENTFENSE_DEFAULT_IMAGE") is { Length: > 0 } image ? image : null,
            Log = line => console.Error.WriteLine($"agentfense: {line}"),
        }, cancellationToken);
        await using (server)
        {
            console.Out.WriteLine($"agentfense: serving gRPC on {server.GrpcEndPoint}, REST on http://{server.HttpEndPoint}, " +
                                  $"data in {Path.GetFullPath(dataDirectory)}; " +
                                  (keys.Count > 0 ? $"API keys of {keys.Values.Distinct().Count()} owner(s) required" : "no authentication") +
                                  "; Ctrl-C to stop");
            await console.Out.FlushAsync(CancellationToken.None);
            await stop.Task;
            console.Error.WriteLine("agentfense: stopping (running sandboxes are stopped; deltas and metadata are kept)");
        }
        return ExitCodes.Ok;
    }

    private static void CheckAddress(string option, string address, bool allowNonLoopback)
    {
        if (!ListenAddress.TryParse(address, out var endPoint, out var error))
            throw new UsageException($"{option}: {error}");
        if (!allowNonLoopback && !ListenAddress.IsLoopback(endPoint))
            throw new UsageException($"{option} {address} is not a loopback address; without API keys the server listens on loopback only " +
                                     "(configure keys, or pass --insecure)");
    }

    /// <summary>
    /// The cgroup group of this server's boxes (<c>AGENTFENSE_CGROUP_GROUP</c>, default <c>agentfense</c>). At start
    /// the server sweeps everything left in its group, so two servers on one machine need different groups.
    /// </summary>
    private static string CgroupGroup()
    {
        var group = Environment.GetEnvironmentVariable("AGENTFENSE_CGROUP_GROUP");
        if (string.IsNullOrEmpty(group))
            return "agentfense";
        if (group.Length > 64 || !group.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            throw new UsageException($"AGENTFENSE_CGROUP_GROUP '{group}' must be 1-64 letters, digits, '-' or '_'");
        return group;
    }
}
