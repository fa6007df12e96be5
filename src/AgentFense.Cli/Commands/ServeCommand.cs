using System.CommandLine;
using System.Runtime.InteropServices;
using AgentFense.Engine;
using AgentFense.Server;

namespace AgentFense.Cli.Commands;

/// <summary>
/// <c>agentfense serve</c>: the <c>sandbox.v1</c> API (gRPC on one address, REST JSON on another) over the data
/// directory until SIGINT/SIGTERM; then it stops listening and stops every running box (deltas, codebases
/// and metadata are kept for the next start). There is no authentication yet, so only loopback addresses
/// are accepted (exit 2 otherwise).
/// </summary>
internal static class ServeCommand
{
    public static Command Create(CliConsole console)
    {
        var grpc = new Option<string>("--grpc")
        {
            Description = "gRPC address, HOST:PORT (HTTP/2 without TLS)",
            HelpName = "ADDR",
            DefaultValueFactory = _ => ServerOptions.DefaultGrpcAddress,
        };
        var http = new Option<string>("--http")
        {
            Description = "REST address, HOST:PORT (HTTP/1.1 JSON)",
            HelpName = "ADDR",
            DefaultValueFactory = _ => ServerOptions.DefaultHttpAddress,
        };
        var data = new Option<string?>("--data")
        {
            Description = "Data directory: metadata (agentfense.db), codebases, deltas " +
                          $"(default $AGENTFENSE_DATA_DIR, else {SandboxManagerOptions.DefaultDataDirectory})",
            HelpName = "DIR",
        };
        var serve = new Command("serve", "Serve the sandbox.v1 API (gRPC and REST) until interrupted; loopback addresses only (no authentication yet)")
        {
            grpc, http, data,
        };
        serve.SetAction((result, cancellationToken) =>
            RunAsync(result.GetValue(grpc)!, result.GetValue(http)!, result.GetValue(data), console, cancellationToken));
        return serve;
    }

    private static async Task<int> RunAsync(string grpc, string http, string? data, CliConsole console, CancellationToken cancellationToken)
    {
        CheckAddress("--grpc", grpc);
        CheckAddress("--http", http);
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
            Log = line => console.Error.WriteLine($"agentfense: {line}"),
        }, cancellationToken);
        await using (server)
        {
            console.Out.WriteLine($"agentfense: serving gRPC on {server.GrpcEndPoint}, REST on http://{server.HttpEndPoint}, " +
                                  $"data in {Path.GetFullPath(dataDirectory)}; Ctrl-C to stop");
            await console.Out.FlushAsync(CancellationToken.None);
            await stop.Task;
            console.Error.WriteLine("agentfense: stopping (running sandboxes are stopped; deltas and metadata are kept)");
        }
        return ExitCodes.Ok;
    }

    private static void CheckAddress(string option, string address)
    {
        if (!ListenAddress.TryParse(address, out var endPoint, out var error))
            throw new UsageException($"{option}: {error}");
        if (!ListenAddress.IsLoopback(endPoint))
            throw new UsageException($"{option} {address} is not a loopback address; without authentication the server listens on loopback only");
    }
}
