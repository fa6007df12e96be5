using AgentFense.Embedded;
using AgentFense.TestSupport;

namespace AgentFense.Client.Tests;

/// <summary>With no endpoint and no backend given, <see cref="Sandbox"/> runs in-process on the shared engine.</summary>
[Collection(nameof(EnvironmentCollection))]
public sealed class DefaultBackendTests
{
    [Fact]
    [Trait("Requires", "Bwrap")]
    public async Task NoEndpoint_RunsEmbedded_AndTheSharedEngineStopsWithTheLastSandbox()
    {
        Requires.Fuse();
        Requires.Bwrap();
        var saved = Environment.GetEnvironmentVariable(SandboxClientOptions.EndpointVariable);
        Environment.SetEnvironmentVariable(SandboxClientOptions.EndpointVariable, null);
        SharedEngine.Options = new EmbeddedOptions { InitPath = InitBinary.Path };
        try
        {
            using var project = new TestProject();
            string dataDirectory;
            await using (var sandbox = await Sandbox.FromLocalAsync(project.Path, preset: Presets.AgentSafe, cancellationToken: TestContext.Current.CancellationToken))
            {
                Assert.StartsWith("embedded", sandbox.Backend.Description, StringComparison.Ordinal);
                dataDirectory = sandbox.Backend.Description["embedded (".Length..^1];
                Assert.True(Directory.Exists(dataDirectory));
                Assert.Equal("# demo\n", (await sandbox.RunAsync("cat README.md", cancellationToken: TestContext.Current.CancellationToken)).Stdout);
            }
            Assert.False(Directory.Exists(dataDirectory), "the shared engine's data directory outlived its last sandbox");
        }
        finally
        {
            Environment.SetEnvironmentVariable(SandboxClientOptions.EndpointVariable, saved);
            SharedEngine.Options = new EmbeddedOptions();
        }
    }

    [Fact]
    public async Task EndpointVariable_ChoosesTheServer()
    {
        var saved = Environment.GetEnvironmentVariable(SandboxClientOptions.EndpointVariable);
        Environment.SetEnvironmentVariable(SandboxClientOptions.EndpointVariable, "127.0.0.1:1");
        try
        {
            var options = new SandboxOptions { Client = new SandboxClientOptions { MaxRetries = 0 } };
            var e = await Assert.ThrowsAsync<ConnectionException>(() => Sandbox.ConnectAsync("sb_x", options, TestContext.Current.CancellationToken));
            Assert.Contains("unavailable", e.Message, StringComparison.OrdinalIgnoreCase);
        }
        finally
        {
            Environment.SetEnvironmentVariable(SandboxClientOptions.EndpointVariable, saved);
        }
    }
}

/// <summary>Tests that change process-wide environment variables run one at a time.</summary>
[CollectionDefinition(nameof(EnvironmentCollection), DisableParallelization = true)]
public sealed class EnvironmentCollection;
