namespace AgentFense.Server.Auth;

/// <summary>
/// The authenticated owner of the call in flight, set by <see cref="AuthInterceptor"/> for the rest of the
/// call. Null when the server has no API keys (then there is no isolation and every item is visible).
/// </summary>
internal static class Caller
{
    private static readonly AsyncLocal<string?> CurrentOwner = new();

    public static string? Owner
    {
        get => CurrentOwner.Value;
        set => CurrentOwner.Value = value;
    }

    /// <summary>Whether an item stored with <paramref name="itemOwner"/> is visible to the current caller.</summary>
    public static bool CanSee(string itemOwner) => Owner is not { } owner || string.Equals(owner, itemOwner, StringComparison.Ordinal);
}
