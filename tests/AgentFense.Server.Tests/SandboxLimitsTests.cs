using System.Net;
using AgentFense.Api.V1;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace AgentFense.Server.Tests;

/// <summary>The per-owner maximum of sandboxes and the default expiry.</summary>
public sealed class SandboxLimitsTests
{
    private const string KeyA = "key-of-alice-0123456789";
    private const string KeyB = "key-of-bob-9876543210";

    private static readonly Dictionary<string, string> Keys = new() { [KeyA] = "alice", [KeyB] = "bob" };

    private static CancellationToken Token => ServerHarness.Token;

    private static Metadata As(string key) => new() { { "authorization", $"Bearer {key}" } };

    [Fact]
    public async Task MaxSandboxesPerOwner_PastItResourceExhausted_OwnersCountedApart_DestroyFreesASlot()
    {
        await using var harness = await ServerHarness.StartAsync(apiKeys: Keys, configure: o => o with { MaxSandboxesPerOwner = 2 });
        var alice = await ApiAssert.CodebaseAsync(harness, As(KeyA));
        var bob = await ApiAssert.CodebaseAsync(harness, As(KeyB));
        var first = await harness.Sandboxes.CreateSandboxAsync(ApiAssert.Writable(alice), As(KeyA), cancellationToken: Token);
        await harness.Sandboxes.CreateSandboxAsync(ApiAssert.Writable(alice), As(KeyA), cancellationToken: Token);
        var e = await ApiAssert.StatusAsync(StatusCode.ResourceExhausted, "SANDBOX_LIMIT_REACHED",
            () => harness.Sandboxes.CreateSandboxAsync(ApiAssert.Writable(alice), As(KeyA), cancellationToken: Token).ResponseAsync);
        Assert.Contains("2", e.Status.Detail, StringComparison.Ordinal);
        Assert.Equal(2, (await harness.Sandboxes.ListSandboxesAsync(new ListSandboxesRequest(), As(KeyA), cancellationToken: Token)).Sandboxes.Count);

        // Bob's slots are his own.
        await harness.Sandboxes.CreateSandboxAsync(ApiAssert.Writable(bob), As(KeyB), cancellationToken: Token);
        await harness.Sandboxes.CreateSandboxAsync(ApiAssert.Writable(bob), As(KeyB), cancellationToken: Token);
        await ApiAssert.StatusAsync(StatusCode.ResourceExhausted, "SANDBOX_LIMIT_REACHED",
            () => harness.Sandboxes.CreateSandboxAsync(ApiAssert.Writable(bob), As(KeyB), cancellationToken: Token).ResponseAsync);

        // Over REST the same refusal is 429 with the reason.
        using (var request = new HttpRequestMessage(HttpMethod.Post, "/v1/sandboxes"))
        {
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", KeyA);
            request.Content = System.Net.Http.Json.JsonContent.Create(new { codebaseId = alice });
            using var response = await harness.Http.SendAsync(request, Token);
            Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
            var body = System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync(Token)).RootElement;
            ApiAssert.RestError(body, StatusCode.ResourceExhausted, "SANDBOX_LIMIT_REACHED");
        }

        await harness.Sandboxes.DestroySandboxAsync(new DestroySandboxRequest { SandboxId = first.Id }, As(KeyA), cancellationToken: Token);
        await harness.Sandboxes.CreateSandboxAsync(ApiAssert.Writable(alice), As(KeyA), cancellationToken: Token);

        // The count is of what is stored: it holds across a restart.
        await harness.RestartAsync();
        await ApiAssert.StatusAsync(StatusCode.ResourceExhausted, "SANDBOX_LIMIT_REACHED",
            () => harness.Sandboxes.CreateSandboxAsync(ApiAssert.Writable(alice), As(KeyA), cancellationToken: Token).ResponseAsync);
    }

    [Fact]
    public async Task MaxSandboxesPerOwner_ConcurrentCreates_NeverPastTheLimit()
    {
        await using var harness = await ServerHarness.StartAsync(configure: o => o with { MaxSandboxesPerOwner = 3 });
        var codebaseId = await ApiAssert.CodebaseAsync(harness);
        var attempts = await Task.WhenAll(Enumerable.Range(0, 12).Select(async _ =>
        {
            try
            {
                await harness.Sandboxes.CreateSandboxAsync(ApiAssert.Writable(codebaseId), cancellationToken: Token);
                return StatusCode.OK;
            }
            catch (RpcException e)
            {
                return e.StatusCode;
            }
        }));
        Assert.Equal(3, attempts.Count(c => c == StatusCode.OK));
        Assert.Equal(9, attempts.Count(c => c == StatusCode.ResourceExhausted));
        Assert.Equal(3, (await harness.Sandboxes.ListSandboxesAsync(new ListSandboxesRequest(), cancellationToken: Token)).Sandboxes.Count);
    }

    [Fact]
    public async Task DefaultExpiry_AppliesWhenUnset_RequestWins_ExpiredSandboxIsDestroyedWithItsDelta()
    {
        await using var harness = await ServerHarness.StartAsync(configure: o => o with { DefaultExpiry = TimeSpan.FromSeconds(2) });
        var codebaseId = await ApiAssert.CodebaseAsync(harness);
        var before = DateTimeOffset.UtcNow;
        var defaulted = await harness.Sandboxes.CreateSandboxAsync(ApiAssert.Writable(codebaseId), cancellationToken: Token);
        var expiresAt = defaulted.ExpiresAt.ToDateTimeOffset();
        Assert.InRange(expiresAt, before + TimeSpan.FromSeconds(2), DateTimeOffset.UtcNow + TimeSpan.FromSeconds(2));
        var ownRequest = ApiAssert.Writable(codebaseId);
        ownRequest.ExpiresIn = Duration.FromTimeSpan(TimeSpan.FromHours(1));
        var own = await harness.Sandboxes.CreateSandboxAsync(ownRequest, cancellationToken: Token);
        Assert.True(own.ExpiresAt.ToDateTimeOffset() > DateTimeOffset.UtcNow + TimeSpan.FromMinutes(59));

        // A delta with content, as a sandbox that ran would have: the expiry removes it.
        var delta = Path.Combine(harness.DataDirectory, "deltas", defaulted.Id);
        Directory.CreateDirectory(delta);
        await File.WriteAllTextAsync(Path.Combine(delta, "work.txt"), "written in the sandbox", Token);

        var deadline = DateTimeOffset.UtcNow + TimeSpan.FromSeconds(30);
        while (DateTimeOffset.UtcNow < deadline && Directory.Exists(delta))
            await Task.Delay(100, Token);
        Assert.False(Directory.Exists(delta));
        await ApiAssert.StatusAsync(StatusCode.NotFound, "SANDBOX_NOT_FOUND",
            () => harness.Sandboxes.GetSandboxAsync(new GetSandboxRequest { SandboxId = defaulted.Id }, cancellationToken: Token).ResponseAsync);
        Assert.Equal(own.Id, Assert.Single((await harness.Sandboxes.ListSandboxesAsync(new ListSandboxesRequest(), cancellationToken: Token)).Sandboxes).Id);
    }
}
