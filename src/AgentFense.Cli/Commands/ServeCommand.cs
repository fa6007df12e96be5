using System.CommandLine;
using System.Runtime.InteropServices;
using AgentFense.Engine;
using AgentFense.Server;
using AgentFense.Server.Configuration;

namespace AgentFense.Cli.Commands;

/// <summary>
/// <c>agentfense serve</c>: the <c>sandbox.v1</c> API (gRPC on one address, REST JSON on another) over the data
/// directory until SIGINT/SIGTERM; then it stops listening and stops every running box (deltas, codebases
/// and metadata are kept for the next start). Settings: command line over environment over <c>--config FILE</c>
/// (<see cref="ServeSetting.All"/>); without API keys only loopback addresses are accepted unless <c>--insecure</c>
/// is given (exit 2 otherwise, as for every bad setting).
/// </summary>
internal static class ServeCommand
{
    public static Command Create(CliConsole console)
    {
        var grpc = new Option<string?>("--grpc")
        {
            Description = $"gRPC address, HOST:PORT (HTTP/2; TLS with --tls-cert) [default: {ServerOptions.DefaultGrpcAddress}]",
            HelpName = "ADDR",
        };
        var http = new Option<string?>("--http")
        {
            Description = $"REST address, HOST:PORT (JSON over HTTP/1.1) [default: {ServerOptions.DefaultHttpAddress}]",
            HelpName = "ADDR",
        };
        var config = new Option<string?>("--config")
        {
            Description = "JSON configuration file with the settings listed above",
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
        var tlsCert = new Option<string?>("--tls-cert")
        {
            Description = "PEM certificate (chain): serve gRPC and REST over TLS",
            HelpName = "FILE",
        };
        var tlsKey = new Option<string?>("--tls-key")
        {
            Description = "PEM private key of --tls-cert (when not in the certificate file)",
            HelpName = "FILE",
        };
        var serve = new Command("serve",
            "Serve the sandbox.v1 API (gRPC and REST) until interrupted. Authentication: API keys from --config (apiKeys) and " +
            $"${ServeConfiguration.ApiKeysVariable} (OWNER1:KEY1,OWNER2:KEY2); with keys every call except health checks and " +
            "reflection needs 'authorization: Bearer KEY' and each owner sees only its own codebases, sandboxes and sessions " +
            "(codebase owner_id is the key's owner). Without keys only loopback addresses are accepted unless --insecure.\n\n" +
            "Settings come from the command line, then the environment, then the --config JSON file (dots are nested " +
            "objects; sizes like 512M, durations like 30s/10m/24h):\n" + SettingsHelp())
        {
            grpc, http, data, config, insecure, tlsCert, tlsKey,
        };
        serve.SetAction((result, cancellationToken) =>
        {
            ServeConfiguration settings;
            try
            {
                var file = result.GetValue(config) is { } path ? ServeConfiguration.Load(path) : new ServeConfiguration();
                var environment = ServeConfiguration.FromEnvironment(Environment.GetEnvironmentVariable);
                var commandLine = new ServeConfiguration
                {
                    Grpc = result.GetValue(grpc),
                    Http = result.GetValue(http),
                    Data = result.GetValue(data),
                    Insecure = result.GetValue(insecure) ? true : null,
                    TlsCertificate = result.GetValue(tlsCert),
                    TlsKey = result.GetValue(tlsKey),
                };
                settings = file.Overlay(environment).Overlay(commandLine);
            }
            catch (FormatException e)
            {
                throw new UsageException(e.Message);
            }
            return RunAsync(settings, console, cancellationToken);
        });
        return serve;
    }

    private static string SettingsHelp() =>
        string.Join("\n", ServeSetting.All.Select(s => $"  {s.Key,-28} ${s.Variable,-36} {s.Help}")
            .Append($"  {"apiKeys",-28} ${ServeConfiguration.ApiKeysVariable,-36} [{{\"key\", \"owner\"}}] / OWNER:KEY,..."));

    private static async Task<int> RunAsync(ServeConfiguration settings, CliConsole console, CancellationToken cancellationToken)
    {
        ServerOptions options;
        try
        {
            // JSON lines must stay JSON: only readable console lines get the program's prefix.
            var json = settings.LogFormat == "json";
            options = settings.ToServerOptions(initPath: "", line => console.Error.WriteLine(json ? line : $"agentfense: {line}"));
        }
        catch (FormatException e)
        {
            throw new UsageException(e.Message);
        }
        var allowNonLoopback = options.AllowNonLoopback || options.ApiKeys.Count > 0;
        CheckAddress("--grpc", options.GrpcAddress, allowNonLoopback);
        CheckAddress("--http", options.HttpAddress, allowNonLoopback);
        options = options with
        {
            InitPath = RunCommand.LocateInit() ?? throw new IOException(
                "agentfense-init not found: set AGENTFENSE_INIT_PATH or place it next to the agentfense binary (the ./agentfense script does both)"),
        };

        var stop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.TrySetResult(); });
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.TrySetResult(); });
        using var cancel = cancellationToken.Register(() => stop.TrySetResult());
        var server = await AgentFenseServer.StartAsync(options, cancellationToken);
        await using (server)
        {
            var scheme = server.UsesTls ? "https" : "http";
            console.Out.WriteLine($"agentfense: serving gRPC on {server.GrpcEndPoint}{(server.UsesTls ? " (TLS)" : "")}, REST on {scheme}://{server.HttpEndPoint}, " +
                                  $"data in {Path.GetFullPath(options.DataDirectory)}; " +
                                  (options.ApiKeys.Count > 0 ? $"API keys of {options.ApiKeys.Values.Distinct().Count()} owner(s) required" : "no authentication") +
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
}
