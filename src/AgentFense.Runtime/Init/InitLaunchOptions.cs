namespace AgentFense.Runtime.Init;

/// <summary>How to start agentfense-init as a child process.</summary>
public sealed record class InitLaunchOptions
{
    /// <summary>The program: the NativeAOT <c>agentfense-init</c>, or <c>dotnet</c> with the dll in <see cref="Arguments"/>.</summary>
    public required string FileName { get; init; }

    /// <summary>Arguments before <c>--fd N</c> (a wrapper such as bwrap, or the dll for <c>dotnet</c>).</summary>
    public IReadOnlyList<string> Arguments { get; init; } = [];

    /// <summary>Init's own environment (its commands never see it).</summary>
    public IReadOnlyList<string> Environment { get; init; } = [];

    /// <summary>The descriptor number init finds its socket at.</summary>
    public int SocketFd { get; init; } = 3;
}
