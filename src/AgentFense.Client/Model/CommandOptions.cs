namespace AgentFense;

/// <summary>How a command runs: its environment, directory, input and timeout.</summary>
public sealed record CommandOptions
{
    /// <summary>Variables added to the box's default environment.</summary>
    public IReadOnlyDictionary<string, string> Env { get; init; } = new Dictionary<string, string>();

    /// <summary>The working directory: relative to <c>/workspace</c>, or absolute in the box; null: <c>/workspace</c>.</summary>
    public string? WorkingDirectory { get; init; }

    /// <summary>Text given on stdin.</summary>
    public string? Stdin { get; init; }

    /// <summary>Bytes given on stdin (instead of <see cref="Stdin"/>).</summary>
    public ReadOnlyMemory<byte>? StdinBytes { get; init; }

    /// <summary>Kill the command's process group after this long (raising <see cref="CommandTimeoutException"/>); null: no limit.</summary>
    public TimeSpan? Timeout { get; init; }
}
