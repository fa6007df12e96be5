using System.Security.Cryptography;

namespace AgentFense.Server;

/// <summary>Resource ids of the wire contract: a prefix and 16 hex digits.</summary>
internal static class Ids
{
    public const string CodebasePrefix = "cb_";

    public static string NewCodebaseId() => CodebasePrefix + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(8));

    /// <summary>Whether <paramref name="id"/> looks like a codebase id (so it is safe as a directory name).</summary>
    public static bool IsCodebaseId(string id) =>
        id.Length == CodebasePrefix.Length + 16 && id.StartsWith(CodebasePrefix, StringComparison.Ordinal) &&
        id.AsSpan(CodebasePrefix.Length).ContainsAnyExcept("0123456789abcdef") is false;
}
