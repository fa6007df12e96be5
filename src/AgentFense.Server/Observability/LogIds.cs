namespace AgentFense.Server.Observability;

/// <summary>
/// The ids a log line carries, set as a logging scope around each API call (and found in engine lines that name
/// a sandbox): the request, and the sandbox and session the call is about.
/// </summary>
internal sealed record class LogIds(string? RequestId, string? SandboxId, string? SessionId)
{
    /// <summary>Readable form, for providers that print scopes as text.</summary>
    public override string ToString() =>
        string.Join(' ', new[] { ("request", RequestId), ("sandbox", SandboxId), ("session", SessionId) }
            .Where(p => p.Item2 is { Length: > 0 }).Select(p => $"{p.Item1}={p.Item2}"));
}
