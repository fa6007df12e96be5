using System.Net;
using System.Text;
using AgentFense.Api.V1;
using AgentFense.TestSupport;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace AgentFense.Server.Tests;

/// <summary>
/// <c>GET /metrics</c> scraped before and after real work (a real server, real boxes and FUSE mounts): counters and
/// histograms move as they should, under the right labels. Metrics are process-wide and tests run in parallel, so
/// process-wide series are compared as "grew by at least", per-sandbox series exactly.
/// </summary>
public sealed class ObservabilityMetricsTests
{
    private static CancellationToken Token => ServerHarness.Token;

    private static async Task<PrometheusText> ScrapeAsync(ServerHarness harness, string? bearer = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "/metrics");
        if (bearer is not null)
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", bearer);
        using var response = await harness.Http.SendAsync(request, Token);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.StartsWith("text/plain", response.Content.Headers.ContentType?.MediaType ?? "");
        return new PrometheusText(await response.Content.ReadAsStringAsync(Token));
    }

    private static void Grew(PrometheusText before, PrometheusText after, double atLeast, string name, params (string, string)[] labels)
    {
        var delta = after.Sum(name, labels) - before.Sum(name, labels);
        Assert.True(delta >= atLeast,
            $"{name}{{{string.Join(",", labels.Select(l => $"{l.Item1}={l.Item2}"))}}} grew by {delta}, expected at least {atLeast}\n--- scrape ---\n{after.Text}");
    }

    [Fact]
    [Trait("Requires", "Bwrap")]
    public async Task Metrics_AfterRealWork_CountersHistogramsAndGaugesMove()
    {
        Requires.Bwrap();
        Requires.Fuse();
        await using var harness = await ServerHarness.StartAsync(boxes: true);
        var before = await ScrapeAsync(harness);

        var codebase = await harness.Codebases.CreateCodebaseAsync(new CreateCodebaseRequest { Name = "metrics" }, cancellationToken: Token);
        var upload = new byte[100_000];
        await harness.UploadAsync(codebase.Id, "data.bin", upload);
        await harness.UploadAsync(codebase.Id, ".env", Encoding.UTF8.GetBytes("TOKEN=x\n"));
        await harness.UploadAsync(codebase.Id, "notes.txt", Encoding.UTF8.GetBytes("notes\n"));
        var create = new CreateSandboxRequest { CodebaseId = codebase.Id, Runtime = RuntimeType.Bwrap, Resources = new ResourceLimits { MemoryBytes = 64L << 20 } };
        create.Permissions.Add(new PermissionRule { Pattern = "**", Permission = Permission.Write });
        create.Permissions.Add(new PermissionRule { Pattern = ".env", Permission = Permission.None, Priority = 10 });
        create.Permissions.Add(new PermissionRule { Pattern = "notes.txt", Permission = Permission.View, Priority = 10 });
        var sandbox = await harness.Sandboxes.CreateSandboxAsync(create, cancellationToken: Token);
        var id = sandbox.Id;
        await harness.Sandboxes.StartSandboxAsync(new StartSandboxRequest { SandboxId = id }, cancellationToken: Token);
        try
        {
            Assert.Equal(0, (await Exec(harness, id, "true")).ExitCode);
            Assert.Equal(3, (await Exec(harness, id, "exit 3")).ExitCode);
            Assert.NotEqual(0, (await Exec(harness, id, "cat .env")).ExitCode);
            Assert.NotEqual(0, (await Exec(harness, id, "cat notes.txt")).ExitCode);
            Assert.Equal(0, (await Exec(harness, id, "head -c 20000 /dev/zero > out.bin && cat data.bin > /dev/null")).ExitCode);
            var timeout = await Assert.ThrowsAsync<RpcException>(() => harness.Sandboxes.ExecAsync(
                new ExecRequest { SandboxId = id, Command = "sleep 5", Timeout = Duration.FromTimeSpan(TimeSpan.FromMilliseconds(200)) }, cancellationToken: Token).ResponseAsync);
            Assert.Equal(StatusCode.DeadlineExceeded, timeout.StatusCode);
            // tail keeps its whole input when there is no newline: past the 64 MiB limit the kernel OOM-kills it.
            var oom = await Exec(harness, id, "head -c 200000000 /dev/zero | tail > /dev/null");
            Assert.Equal(137, oom.ExitCode);
            await Assert.ThrowsAsync<RpcException>(() => harness.Sandboxes.GetSandboxAsync(new GetSandboxRequest { SandboxId = "sb_0000000000000000" }, cancellationToken: Token).ResponseAsync);

            var after = await ScrapeAsync(harness);
            // Commands by runtime and outcome, with their latency histogram.
            Grew(before, after, 1, "agentfense_exec_duration_seconds_count", ("runtime", "bwrap"), ("outcome", "exit_zero"));
            Grew(before, after, 1, "agentfense_exec_duration_seconds_count", ("runtime", "bwrap"), ("outcome", "exit_nonzero"));
            Grew(before, after, 1, "agentfense_exec_duration_seconds_count", ("runtime", "bwrap"), ("outcome", "timeout"));
            Grew(before, after, 1, "agentfense_exec_duration_seconds_count", ("runtime", "bwrap"), ("outcome", "oom"));
            Grew(before, after, 1, "agentfense_exec_duration_seconds_bucket", ("runtime", "bwrap"), ("outcome", "exit_zero"), ("le", "+Inf"));
            Assert.True(after.Matching("agentfense_exec_duration_seconds_bucket", ("outcome", "exit_zero")).Any(s => s.Labels["le"] != "+Inf" && s.Value > 0),
                "a finite bucket of the exec histogram holds the quick commands\n" + after.Text);
            // Refusals by level and operation.
            Grew(before, after, 1, "agentfense_policy_refusals_total", ("level", "none"), ("operation", "lookup"));
            Grew(before, after, 1, "agentfense_policy_refusals_total", ("level", "view"));
            // FUSE operations by opcode, with latency.
            Grew(before, after, 1, "agentfense_fuse_operation_duration_seconds_count", ("opcode", "lookup"));
            Grew(before, after, 1, "agentfense_fuse_operation_duration_seconds_count", ("opcode", "read"));
            Assert.True(after.Sum("agentfense_fuse_mounts") >= 1, after.Text);
            // Lifecycle operations.
            Grew(before, after, 1, "agentfense_sandbox_operation_duration_seconds_count", ("operation", "create"), ("outcome", "ok"));
            Grew(before, after, 1, "agentfense_sandbox_operation_duration_seconds_count", ("operation", "start"), ("outcome", "ok"));
            Assert.True(after.Sum("agentfense_sandboxes", ("state", "running"), ("runtime", "bwrap")) >= 1, after.Text);
            Assert.True(after.Sum("agentfense_boxes", ("runtime", "bwrap")) >= 1, after.Text);
            // This sandbox's own series.
            Assert.True(after.Sum("agentfense_sandbox_memory_usage_bytes", ("sandbox", id)) > 0, after.Text);
            Assert.True(after.Sum("agentfense_sandbox_processes", ("sandbox", id)) >= 1, after.Text);
            Assert.True(after.Sum("agentfense_sandbox_cpu_time_seconds_total", ("sandbox", id)) > 0, after.Text);
            Assert.Equal(20_000, after.Sum("agentfense_sandbox_delta_size_bytes", ("sandbox", id)));
            // API requests by method and code; uploads; the server process.
            Grew(before, after, 4, "agentfense_api_requests_total", ("method", "SandboxService/Exec"), ("code", "OK"));
            Grew(before, after, 1, "agentfense_api_requests_total", ("method", "SandboxService/Exec"), ("code", "DEADLINE_EXCEEDED"));
            Grew(before, after, 1, "agentfense_api_requests_total", ("method", "SandboxService/GetSandbox"), ("code", "NOT_FOUND"));
            Grew(before, after, 1, "agentfense_api_request_duration_seconds_count", ("method", "SandboxService/StartSandbox"));
            Grew(before, after, upload.Length, "agentfense_upload_bytes_total", ("method", "CodebaseService/UploadFiles"));
            Assert.True(after.Sum("agentfense_process_resident_memory_bytes") > 0, after.Text);

            // Stopped: its per-sandbox series are gone (nothing is read for a sandbox that does not run).
            await harness.Sandboxes.StopSandboxAsync(new StopSandboxRequest { SandboxId = id }, cancellationToken: Token);
            var stopped = await ScrapeAsync(harness);
            Assert.False(stopped.Has("agentfense_sandbox_memory_usage_bytes", ("sandbox", id)), stopped.Text);
            Grew(after, stopped, 1, "agentfense_sandbox_operation_duration_seconds_count", ("operation", "stop"), ("outcome", "ok"));
        }
        finally
        {
            await harness.Sandboxes.DestroySandboxAsync(new DestroySandboxRequest { SandboxId = id }, cancellationToken: Token);
        }
    }

    [Fact]
    [Trait("Requires", "Docker")]
    public async Task Metrics_DockerSandbox_LabelledWithItsRuntime_AuditedToo()
    {
        Requires.Fuse();
        Requires.Docker();
        TestImages.Ensure();
        await using var harness = await ServerHarness.StartAsync(boxes: true);
        var before = await ScrapeAsync(harness);
        var codebase = await harness.Codebases.CreateCodebaseAsync(new CreateCodebaseRequest { Name = "docker-metrics" }, cancellationToken: Token);
        var create = new CreateSandboxRequest { CodebaseId = codebase.Id, Runtime = RuntimeType.Docker, Image = TestImages.Debian };
        create.Permissions.Add(new PermissionRule { Pattern = "**", Permission = Permission.Read });
        var id = (await harness.Sandboxes.CreateSandboxAsync(create, cancellationToken: Token)).Id;
        await harness.Sandboxes.StartSandboxAsync(new StartSandboxRequest { SandboxId = id }, cancellationToken: Token);
        try
        {
            Assert.Equal(2, (await Exec(harness, id, "exit 2")).ExitCode);
            var after = await ScrapeAsync(harness);
            Grew(before, after, 1, "agentfense_exec_duration_seconds_count", ("runtime", "docker"), ("outcome", "exit_nonzero"));
            Assert.True(after.Sum("agentfense_boxes", ("runtime", "docker")) >= 1, after.Text);
            Assert.True(after.Sum("agentfense_sandboxes", ("state", "running"), ("runtime", "docker")) >= 1, after.Text);
            var audit = await harness.Sandboxes.GetSandboxAuditAsync(new GetSandboxAuditRequest { SandboxId = id, Kind = SandboxAuditEntryKind.Command }, cancellationToken: Token);
            Assert.Equal(("exit 2", 2), (audit.Entries.Single().Command, audit.Entries.Single().ExitCode));
        }
        finally
        {
            await harness.Sandboxes.DestroySandboxAsync(new DestroySandboxRequest { SandboxId = id }, cancellationToken: Token);
        }
    }

    [Fact]
    public async Task Metrics_Disabled_NoEndpoint()
    {
        await using var harness = await ServerHarness.StartAsync(configure: o => o with { Observability = o.Observability with { MetricsEnabled = false } });
        using var response = await harness.Http.GetAsync("/metrics", Token);
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task Metrics_WithApiKeys_NeedAKey()
    {
        const string key = "key-of-prometheus-0123456789";
        await using var harness = await ServerHarness.StartAsync(apiKeys: new Dictionary<string, string> { [key] = "ops" });
        using (var anonymous = await harness.Http.GetAsync("/metrics", Token))
            Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        using (var wrong = new HttpRequestMessage(HttpMethod.Get, "/metrics"))
        {
            wrong.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key + "x");
            using var response = await harness.Http.SendAsync(wrong, Token);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        }
        var scrape = await ScrapeAsync(harness, key);
        Assert.Contains("# TYPE agentfense_process_resident_memory_bytes", scrape.Text);
        // The refused scrapes are not API calls, and the keys never appear in what is exposed.
        Assert.DoesNotContain(key, scrape.Text);
    }

    [Fact]
    public async Task Metrics_ApiErrors_CountedByCode_ProcessStaysUp()
    {
        await using var harness = await ServerHarness.StartAsync();
        var before = await ScrapeAsync(harness);
        var (status, _) = await harness.SendJsonAsync(HttpMethod.Get, "/v1/sandboxes/sb_0000000000000000/audit?page_token=zzz");
        Assert.Equal(HttpStatusCode.NotFound, status);
        await Assert.ThrowsAsync<RpcException>(() => harness.Codebases.GetCodebaseAsync(new GetCodebaseRequest { CodebaseId = "cb_0000000000000000" }, cancellationToken: Token).ResponseAsync);
        var after = await ScrapeAsync(harness);
        Grew(before, after, 1, "agentfense_api_requests_total", ("method", "SandboxService/GetSandboxAudit"), ("code", "NOT_FOUND"));
        Grew(before, after, 1, "agentfense_api_requests_total", ("method", "CodebaseService/GetCodebase"), ("code", "NOT_FOUND"));
        Assert.Contains("# TYPE agentfense_api_request_duration_seconds histogram", after.Text);
    }

    private static Task<ExecResult> Exec(ServerHarness harness, string id, string command) =>
        harness.Sandboxes.ExecAsync(new ExecRequest { SandboxId = id, Command = command }, cancellationToken: Token).ResponseAsync;
}
