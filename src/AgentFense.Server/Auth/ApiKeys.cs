using System.Security.Cryptography;
using System.Text;

namespace AgentFense.Server.Auth;

/// <summary>
/// The configured API keys (key → owner). Keys are kept only as SHA-256 digests and every lookup compares
/// the presented key's digest with every configured digest in constant time, so neither timing nor a
/// dump of this object reveals a key.
/// </summary>
internal sealed class ApiKeys
{
    private readonly (byte[] Digest, string Owner)[] _keys;

    public ApiKeys(IReadOnlyDictionary<string, string>? keys) =>
        _keys = keys is null ? [] : [.. keys.Select(k => (SHA256.HashData(Encoding.UTF8.GetBytes(k.Key)), k.Value))];

    /// <summary>Whether any key is configured (then every call except health and reflection needs one).</summary>
    public bool Enabled => _keys.Length > 0;

    /// <summary>The owner of <paramref name="authorization"/> (<c>Bearer KEY</c>), or null when it names no configured key.</summary>
    public string? Authenticate(string? authorization)
    {
        const string scheme = "Bearer ";
        if (authorization is null || !authorization.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
            return null;
        var digest = SHA256.HashData(Encoding.UTF8.GetBytes(authorization[scheme.Length..].Trim()));
        string? owner = null;
        foreach (var (candidate, candidateOwner) in _keys)
        {
            // No early exit: every configured key is compared.
            if (CryptographicOperations.FixedTimeEquals(digest, candidate))
                owner = candidateOwner;
        }
        return owner;
    }
}
