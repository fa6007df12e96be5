using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using AgentFense.Api.V1;
using AgentFense.TestSupport;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Trace;

namespace AgentFense.Server.Tests;

/// <summary>Traces of API calls through the engine to the box, and the structured log lines with their ids and without secrets.</summary>
public sealed class ObservabilityTraceAndLogTests
{
    private static CancellationToken Token => ServerHarness.Token;

    private static async Task<string> StartedSandboxAsync(ServerHarness harness, Metadata? headers = null)
    {
        var codebase = await harness.Codebases.CreateCodebaseAsync(new CreateCodebaseRequest { Name = "traced" }, headers, cancellationToken: Token);
        if (headers is null)
            await harness.UploadAsync(codebase.Id, "README.md", Encoding.UTF8.GetBytes("# traced\n"));
        var request = new CreateSandboxRequest { CodebaseId = codebase.Id, Runtime = RuntimeType.Bwrap };
        request.Permissions.Add(new PermissionRule { Pattern = "**", Permission = Permission.Write });
        var sandbox = await harness.Sandboxes.CreateSandboxAsync(request, headers, cancellationToken: Token);
        await harness.Sandboxes.StartSandboxAsync(new StartSandboxRequest { SandboxId = sandbox.Id }, headers, cancellationToken: Token);
        return sandbox.Id;
    }

    [Fact]
    [Trait("Requires", "Bwrap")]
    public async Task Trace_Exec_ApiSpanParentsEngineSpanParentsBoxSpan()
    {
        Requires.Bwrap();
        Requires.Fuse();
        var spans = new List<Activity>();
        await using var harness = await ServerHarness.StartAsync(boxes: true, configure: o => o with
        {
            Observability = o.Observability with { ConfigureTracing = t => t.AddInMemoryExporter(spans) },
        });
        var id = await StartedSandboxAsync(harness);
        try
        {
            var result = await harness.Sandboxes.ExecAsync(new ExecRequest { SandboxId = id, Command = "echo traced" }, cancellationToken: Token);
            Assert.Equal("traced\n", result.Stdout);
            // The server's tracer provider exports a span when it ends; the API span ends once the response is written.
            Activity[] snapshot = [];
            for (var i = 0; i < 100; i++)
            {
                lock (spans)
                    snapshot = [.. spans];
                var exported = snapshot.Where(s => s.OperationName.StartsWith("Microsoft.AspNetCore", StringComparison.Ordinal) && s.DisplayName.Contains("Exec", StringComparison.Ordinal))
                    .Any(api => snapshot.Any(s => s.OperationName == "box.command" && s.TraceId == api.TraceId));
                if (exported)
                    break;
                await Task.Delay(50, Token);
            }
            var engine = Assert.Single(snapshot, s => s.OperationName == "sandbox.exec" && (string?)s.GetTagItem("agentfense.sandbox.id") == id);
            var box = Assert.Single(snapshot, s => s.OperationName == "box.command" && s.ParentSpanId == engine.SpanId);
            Assert.Equal(0, box.GetTagItem("process.exit.code"));
            var api = Assert.Single(snapshot, s => s.SpanId == engine.ParentSpanId);
            Assert.Contains("Exec", api.DisplayName);
            Assert.Equal(engine.TraceId, api.TraceId);
            Assert.Equal(engine.TraceId, box.TraceId);
            // The start went through the engine to the runtime too.
            var start = Assert.Single(snapshot, s => s.OperationName == "sandbox.start" && (string?)s.GetTagItem("agentfense.sandbox.id") == id);
            Assert.Contains(snapshot, s => s.OperationName == "box.start" && s.ParentSpanId == start.SpanId);
        }
        finally
        {
            await harness.Sandboxes.DestroySandboxAsync(new DestroySandboxRequest { SandboxId = id }, cancellationToken: Token);
        }
    }

    [Fact]
    public async Task Trace_OffByDefault_OtlpWhenConfigured_ExportsApiSpans()
    {
        await using (var off = await ServerHarness.StartAsync())
            Assert.Null(off.Server.Services.GetService(typeof(TracerProvider)));

        // A real OTLP/HTTP receiver: the server's exporter posts protobuf to /v1/traces.
        var port = FreePort();
        using var receiver = new HttpListener();
        receiver.Prefixes.Add($"http://127.0.0.1:{port}/");
        receiver.Start();
        var received = new ConcurrentQueue<(string Path, byte[] Body)>();
        var serving = Task.Run(async () =>
        {
            while (receiver.IsListening)
            {
                HttpListenerContext context;
                try
                {
                    context = await receiver.GetContextAsync();
                }
                catch (Exception e) when (e is HttpListenerException or ObjectDisposedException)
                {
                    return;
                }
                using var body = new MemoryStream();
                await context.Request.InputStream.CopyToAsync(body);
                received.Enqueue((context.Request.Url!.AbsolutePath, body.ToArray()));
                context.Response.StatusCode = 200;
                context.Response.Close();
            }
        }, Token);
        await using (var on = await ServerHarness.StartAsync(configure: o => o with
        {
            Observability = o.Observability with { OtlpEndpoint = $"http://127.0.0.1:{port}", OtlpProtocol = "http/protobuf", MetricsEnabled = false },
        }))
        {
            Assert.NotNull(on.Server.Services.GetService(typeof(TracerProvider)));
            await on.Codebases.ListCodebasesAsync(new ListCodebasesRequest(), cancellationToken: Token);
        }
        // Disposing the server flushed its exporter.
        receiver.Stop();
        await serving;
        var traces = received.Where(r => r.Path == "/v1/traces").ToList();
        Assert.NotEmpty(traces);
        Assert.Contains(traces, t => Encoding.UTF8.GetString(t.Body).Contains("CodebaseService/ListCodebases", StringComparison.Ordinal));
        Assert.Contains(traces, t => Encoding.UTF8.GetString(t.Body).Contains("agentfense", StringComparison.Ordinal));

        var bad = await Assert.ThrowsAsync<ArgumentException>(() => ServerHarness.StartAsync(configure: o => o with
        {
            Observability = o.Observability with { OtlpEndpoint = "not a uri" },
        }));
        Assert.Contains("not a uri", bad.Message);
    }

    private static int FreePort()
    {
        using var socket = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        socket.Start();
        return ((IPEndPoint)socket.LocalEndpoint).Port;
    }

    [Fact]
    [Trait("Requires", "Bwrap")]
    public async Task Logs_Json_CarryIds_NeverKeysOrEnvValues()
    {
        Requires.Bwrap();
        Requires.Fuse();
        const string key = "key-of-alice-SECRET-0123456789";
        const string envSecret = "hunter2-ENV-SECRET-VALUE";
        const string sessionSecret = "SESSION-ENV-SECRET-VALUE";
        var lines = new ConcurrentQueue<string>();
        await using var harness = await ServerHarness.StartAsync(boxes: true, apiKeys: new Dictionary<string, string> { [key] = "alice" }, configure: o => o with
        {
            Log = lines.Enqueue,
            Observability = o.Observability with { LogFormat = "json", LogLevel = LogLevel.Information },
        });
        var auth = new Metadata { { "authorization", "Bearer " + key } };
        var id = await StartedSandboxAsync(harness, auth);
        try
        {
            var exec = new ExecRequest { SandboxId = id, Command = "test -n \"$TOKEN\" && echo set" };
            exec.Env["TOKEN"] = envSecret;
            Assert.Equal("set\n", (await harness.Sandboxes.ExecAsync(exec, auth, cancellationToken: Token)).Stdout);
            var bad = new ExecRequest { SandboxId = id, Command = "true" };
            bad.Env["BAD=NAME"] = envSecret;
            await Assert.ThrowsAsync<RpcException>(() => harness.Sandboxes.ExecAsync(bad, auth, cancellationToken: Token).ResponseAsync);
            var sessionRequest = new CreateSessionRequest { SandboxId = id, Shell = "/bin/sh" };
            sessionRequest.Env["SESSION_TOKEN"] = sessionSecret;
            var session = await harness.Sandboxes.CreateSessionAsync(sessionRequest, auth, cancellationToken: Token);
            await harness.Sandboxes.SessionExecAsync(new SessionExecRequest { SessionId = session.Id, Command = "echo $SESSION_TOKEN" }, auth, cancellationToken: Token);
            await Assert.ThrowsAsync<RpcException>(() => harness.Sandboxes.ListSandboxesAsync(new ListSandboxesRequest(),
                new Metadata { { "authorization", "Bearer " + key + "-wrong" } }, cancellationToken: Token).ResponseAsync);

            var all = lines.ToArray();
            Assert.NotEmpty(all);
            foreach (var line in all)
            {
                Assert.DoesNotContain(key, line);
                Assert.DoesNotContain(envSecret, line);
                Assert.DoesNotContain(sessionSecret, line);
                using var json = JsonDocument.Parse(line);
                Assert.True(json.RootElement.TryGetProperty("time", out _), line);
                Assert.True(json.RootElement.TryGetProperty("level", out _), line);
            }
            var execLines = all.Select(l => JsonDocument.Parse(l).RootElement).Where(e => e.GetProperty("message").GetString()!.StartsWith("SandboxService/Exec ", StringComparison.Ordinal)).ToList();
            Assert.Equal(2, execLines.Count);
            Assert.All(execLines, e =>
            {
                Assert.Equal(id, e.GetProperty("sandboxId").GetString());
                Assert.False(string.IsNullOrEmpty(e.GetProperty("requestId").GetString()));
            });
            Assert.Contains(execLines, e => e.GetProperty("message").GetString()!.Contains("INVALID_ARGUMENT", StringComparison.Ordinal));
            var sessionLine = all.Select(l => JsonDocument.Parse(l).RootElement).Single(e => e.GetProperty("message").GetString()!.StartsWith("SandboxService/SessionExec ", StringComparison.Ordinal));
            Assert.Equal(session.Id, sessionLine.GetProperty("sessionId").GetString());
            Assert.Contains(all, l => l.Contains("UNAUTHENTICATED", StringComparison.Ordinal));
        }
        finally
        {
            await harness.Sandboxes.DestroySandboxAsync(new DestroySandboxRequest { SandboxId = id }, auth, cancellationToken: Token);
        }
    }

    [Fact]
    public async Task Logs_Console_OneLineWithIds_BadFormatRefused()
    {
        var lines = new ConcurrentQueue<string>();
        await using (var harness = await ServerHarness.StartAsync(configure: o => o with
        {
            Log = lines.Enqueue,
            Observability = o.Observability with { LogLevel = LogLevel.Information },
        }))
        {
            await Assert.ThrowsAsync<RpcException>(() => harness.Sandboxes.GetSandboxAsync(new GetSandboxRequest { SandboxId = "sb_00000000000000ab" }, cancellationToken: Token).ResponseAsync);
            var line = Assert.Single(lines, l => l.Contains("SandboxService/GetSandbox NOT_FOUND", StringComparison.Ordinal));
            Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z info AgentFense\.Server\.Api: .* \[request=\S+ sandbox=sb_00000000000000ab\]$", line);
        }
        var e = await Assert.ThrowsAsync<ArgumentException>(() => ServerHarness.StartAsync(configure: o => o with
        {
            Observability = o.Observability with { LogFormat = "xml" },
        }));
        Assert.Contains("xml", e.Message);
    }
}
