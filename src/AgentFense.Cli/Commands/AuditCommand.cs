using System.CommandLine;
using System.Globalization;
using AgentFense.Api.V1;
using AgentFense.Cli.Audit;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Grpc.Net.Client;

namespace AgentFense.Cli.Commands;

/// <summary>
/// <c>agentfense audit SANDBOX</c>: prints a sandbox's audit trail (refused filesystem operations and commands) from a
/// server over gRPC. With <c>--follow</c> it then polls every <c>--interval</c> for what came since (from the last
/// resume token, so nothing is printed twice or skipped) until interrupted.
/// </summary>
internal static class AuditCommand
{
    /// <summary>The server address when neither <c>--server</c> nor <c>AGENTFENSE_SERVER</c> gives one.</summary>
    public const string DefaultServer = "http://127.0.0.1:9000";

    private const int PageSize = 500;

    public static Command Create(CliConsole console)
    {
        var sandbox = new Argument<string>("SANDBOX") { Description = "The sandbox id (sb_…); a destroyed sandbox's trail is kept for the server's retention" };
        var server = new Option<string?>("--server")
        {
            Description = $"The server's gRPC address, http://HOST:PORT or HOST:PORT [default: $AGENTFENSE_SERVER, else {DefaultServer}]",
            HelpName = "ADDR",
        };
        var apiKey = new Option<string?>("--api-key") { Description = "API key (default $AGENTFENSE_API_KEY)", HelpName = "KEY" };
        var follow = new Option<bool>("--follow", "-f") { Description = "Keep printing new entries as they are recorded, until interrupted" };
        var interval = new Option<string>("--interval") { Description = "How often --follow asks for new entries [default: 1s]", HelpName = "DURATION", DefaultValueFactory = _ => "1s" };
        var kind = new Option<string?>("--kind") { Description = "Only 'refusal' or 'command' entries", HelpName = "KIND" };
        var since = new Option<string?>("--since") { Description = "Only entries at or after this time (ISO 8601, or a duration ago like 10m)", HelpName = "TIME" };
        var json = new Option<bool>("--json") { Description = "One JSON object per entry (the API's JSON form)" };
        var command = new Command("audit", "Print a sandbox's audit trail: refused filesystem operations (operation, path, level, deciding rule) " +
            "and commands (exit code, duration, outcome, session), in the order recorded.")
        {
            sandbox, server, apiKey, follow, interval, kind, since, json,
        };
        command.SetAction(async (result, cancellationToken) =>
        {
            var request = new GetSandboxAuditRequest
            {
                SandboxId = result.GetValue(sandbox)!,
                PageSize = PageSize,
                Kind = ParseKind(result.GetValue(kind)),
            };
            if (result.GetValue(since) is { } given)
                request.Since = Timestamp.FromDateTimeOffset(ParseSince(given));
            var every = ParseDuration(result.GetValue(interval)!, "--interval");
            var address = Address(result.GetValue(server) ?? Environment.GetEnvironmentVariable("AGENTFENSE_SERVER") ?? DefaultServer);
            var key = result.GetValue(apiKey) ?? Environment.GetEnvironmentVariable("AGENTFENSE_API_KEY");
            var headers = key is { Length: > 0 } ? new Metadata { { "authorization", "Bearer " + key } } : null;
            using var channel = GrpcChannel.ForAddress(address);
            var client = new SandboxService.SandboxServiceClient(channel);
            var writer = new AuditLineWriter(console.Out, result.GetValue(json));
            try
            {
                await PrintAsync(client, request, headers, writer, result.GetValue(follow), every, cancellationToken);
                return ExitCodes.Ok;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return ExitCodes.Ok;
            }
            catch (RpcException e)
            {
                console.Error.WriteLine($"agentfense: {Describe(e, address)}");
                return e.StatusCode == StatusCode.InvalidArgument ? ExitCodes.BadInput : ExitCodes.Failure;
            }
        });
        return command;
    }

    private static async Task PrintAsync(SandboxService.SandboxServiceClient client, GetSandboxAuditRequest request, Metadata? headers,
        AuditLineWriter writer, bool follow, TimeSpan every, CancellationToken cancellationToken)
    {
        while (true)
        {
            var page = await client.GetSandboxAuditAsync(request, headers, cancellationToken: cancellationToken);
            foreach (var entry in page.Entries)
                writer.Write(entry);
            request.PageToken = page.NextPageToken.Length > 0 ? page.NextPageToken : page.ResumeToken;
            if (page.NextPageToken.Length > 0)
                continue;
            if (!follow)
                return;
            await Task.Delay(every, cancellationToken);
        }
    }

    private static string Describe(RpcException e, string address) => e.StatusCode switch
    {
        StatusCode.Unavailable => $"cannot reach the server at {address}: {e.Status.Detail}",
        StatusCode.Unauthenticated => "the server needs an API key (--api-key or $AGENTFENSE_API_KEY)",
        _ => e.Status.Detail,
    };

    private static string Address(string given) =>
        given.Contains("://", StringComparison.Ordinal) ? given : "http://" + given;

    private static SandboxAuditEntryKind ParseKind(string? kind) => kind switch
    {
        null => SandboxAuditEntryKind.Unspecified,
        "refusal" => SandboxAuditEntryKind.Refusal,
        "command" => SandboxAuditEntryKind.Command,
        _ => throw new UsageException($"--kind '{kind}' is not refusal or command"),
    };

    private static DateTimeOffset ParseSince(string value)
    {
        if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time))
            return time;
        return DateTimeOffset.UtcNow - ParseDuration(value, "--since");
    }

    /// <summary><c>500ms</c>, <c>2s</c>, <c>10m</c>, <c>1h</c>.</summary>
    private static TimeSpan ParseDuration(string value, string option)
    {
        var units = new (string Suffix, double Seconds)[] { ("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600), ("d", 86400) };
        foreach (var (suffix, seconds) in units)
        {
            if (value.EndsWith(suffix, StringComparison.Ordinal)
                && double.TryParse(value.AsSpan(0, value.Length - suffix.Length), NumberStyles.Float, CultureInfo.InvariantCulture, out var number)
                && number > 0)
                return TimeSpan.FromSeconds(number * seconds);
        }
        throw new UsageException($"{option} '{value}' is not a time or a positive duration like 500ms, 10s, 5m, 1h");
    }
}
