using AgentFense.Runtime.Init;
using AgentFense.TestSupport;

namespace AgentFense.Init.Tests;

/// <summary>One init process shared by a test class (commands are independent); tests that end init start their own.</summary>
public sealed class InitFixture : IAsyncLifetime
{
    private InitProcess? _process;

    /// <summary>The running init.</summary>
    public InitProcess Process => _process ?? throw new InvalidOperationException("not started");

    /// <summary>Its client.</summary>
    public InitClient Client => Process.Client;

    /// <summary>Starts the published binary with an empty environment.</summary>
    public static Task<InitProcess> StartInitAsync() =>
        InitProcess.StartAsync(new InitLaunchOptions { FileName = InitBinary.Path });

    /// <inheritdoc />
    public async ValueTask InitializeAsync() => _process = await StartInitAsync();

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (_process is not null)
            await _process.DisposeAsync();
    }
}
