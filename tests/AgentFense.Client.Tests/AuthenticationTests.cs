extern alias server;
using AgentFense.TestSupport;
using AgentFenseServer = server::AgentFense.Server.AgentFenseServer;
using ServerOptions = server::AgentFense.Server.ServerOptions;

namespace AgentFense.Client.Tests;

/// <summary>API keys: from the options or AGENTFENSE_API_KEY, sent as a Bearer token; a refused one is <see cref="AuthenticationException"/>.</summary>
[Collection(nameof(EnvironmentCollection))]
public sealed class AuthenticationTests
{
    [Fact]
    public async Task ApiKey_FromOptionsOrEnvironment_WrongOneIsAuthenticationException()
    {
        var token = TestContext.Current.CancellationToken;
        using var data = new TempDirectory("agentfense-sdk-auth-");
        await using var host = await AgentFenseServer.StartAsync(new ServerOptions
        {
            GrpcAddress = "127.0.0.1:0",
            HttpAddress = "127.0.0.1:0",
            DataDirectory = data.Path,
            // Never executed: no box starts here.
            InitPath = data.WriteFile("agentfense-init-placeholder"),
            CgroupGroupName = $"agentfense-sdk-{Guid.NewGuid():N}"[..24],
            ShutdownGrace = TimeSpan.FromSeconds(1),
            ApiKeys = new Dictionary<string, string> { ["key-of-alice-0123456789"] = "alice" },
        }, token);
        var endpoint = $"127.0.0.1:{host.GrpcEndPoint.Port}";

        using (var wrong = new SandboxClient(new SandboxClientOptions { Endpoint = endpoint, ApiKey = "not-a-key" }))
        {
            var e = await Assert.ThrowsAsync<AuthenticationException>(() => wrong.CreateCodebaseAsync("x", cancellationToken: token));
            Assert.Equal(Grpc.Core.StatusCode.Unauthenticated, e.StatusCode);
        }
        using (var right = new SandboxClient(new SandboxClientOptions { Endpoint = endpoint, ApiKey = "key-of-alice-0123456789" }))
            Assert.Equal("alice", (await right.CreateCodebaseAsync("mine", cancellationToken: token)).OwnerId);

        var saved = Environment.GetEnvironmentVariable(SandboxClientOptions.ApiKeyVariable);
        Environment.SetEnvironmentVariable(SandboxClientOptions.ApiKeyVariable, "key-of-alice-0123456789");
        try
        {
            using var fromEnvironment = new SandboxClient(new SandboxClientOptions { Endpoint = endpoint });
            Assert.Single((await fromEnvironment.ListCodebasesAsync(cancellationToken: token)).Codebases);
        }
        finally
        {
            Environment.SetEnvironmentVariable(SandboxClientOptions.ApiKeyVariable, saved);
        }
    }
}
