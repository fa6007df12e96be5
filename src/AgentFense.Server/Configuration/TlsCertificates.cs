using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace AgentFense.Server.Configuration;

/// <summary>Loads the server's TLS certificate from PEM files.</summary>
public static class TlsCertificates
{
    /// <summary>
    /// The certificate of <paramref name="certificatePath"/> with the private key of <paramref name="keyPath"/> (or
    /// of the certificate file itself when null).
    /// </summary>
    /// <exception cref="FormatException">A file is missing or unreadable, not PEM, or the key does not fit the certificate.</exception>
    public static X509Certificate2 Load(string certificatePath, string? keyPath)
    {
        ArgumentNullException.ThrowIfNull(certificatePath);
        try
        {
            var certificate = X509Certificate2.CreateFromPemFile(certificatePath, keyPath);
            if (!certificate.HasPrivateKey)
            {
                certificate.Dispose();
                throw new FormatException($"tls: {keyPath ?? certificatePath} holds no private key for the certificate");
            }
            return certificate;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException or ArgumentException)
        {
            throw new FormatException($"tls: cannot load the certificate {certificatePath}" + (keyPath is null ? "" : $" with key {keyPath}") + $": {e.Message}");
        }
    }
}
