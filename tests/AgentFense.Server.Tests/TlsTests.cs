using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using AgentFense.Api.V1;
using AgentFense.Server.Configuration;
using AgentFense.TestSupport;
using Grpc.Core;
using Grpc.Net.Client;

namespace AgentFense.Server.Tests;

/// <summary>Both endpoints over TLS when a certificate is configured; plain-text clients get nothing.</summary>
public sealed class TlsTests
{
    private static CancellationToken Token => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Tls_GrpcAndRest_ServedOverTls()
    {
        using var files = new TempDirectory("agentfense-tls-");
        var (certificate, key) = WriteSelfSigned(files, "localhost");
        await using var harness = await ServerHarness.StartAsync(configure: o => o with { TlsCertificatePath = certificate, TlsKeyPath = key });
        Assert.True(harness.Server.UsesTls);
        var (listed, _) = await harness.SendJsonAsync(HttpMethod.Get, "/v1/codebases");
        Assert.Equal(System.Net.HttpStatusCode.OK, listed);

        var created = await harness.Codebases.CreateCodebaseAsync(new CreateCodebaseRequest { Name = "over-tls" }, cancellationToken: Token);
        var (status, body) = await harness.SendJsonAsync(HttpMethod.Get, $"/v1/codebases/{created.Id}");
        Assert.Equal(System.Net.HttpStatusCode.OK, status);
        Assert.Equal("over-tls", body.GetProperty("name").GetString());

        // A client speaking clear-text HTTP/2 to the TLS port gets no answer from the API.
        using var plain = GrpcChannel.ForAddress($"http://127.0.0.1:{harness.Server.GrpcEndPoint.Port}");
        var client = new CodebaseService.CodebaseServiceClient(plain);
        var e = await Assert.ThrowsAsync<RpcException>(async () =>
            await client.GetCodebaseAsync(new GetCodebaseRequest { CodebaseId = created.Id }, deadline: DateTime.UtcNow.AddSeconds(5), cancellationToken: Token));
        Assert.NotEqual(StatusCode.OK, e.StatusCode);
        using var plainHttp = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{harness.Server.HttpEndPoint.Port}") };
        // Kestrel answers a clear-text request on a TLS port by closing the connection.
        await Assert.ThrowsAsync<HttpRequestException>(() => plainHttp.GetAsync($"/v1/codebases/{created.Id}", Token));
    }

    [Fact]
    public async Task Tls_CertificateAndKeyInOneFile()
    {
        using var files = new TempDirectory("agentfense-tls-");
        var (certificate, key) = WriteSelfSigned(files, "localhost");
        var combined = files.WriteFile("combined.pem", File.ReadAllText(certificate) + "\n" + File.ReadAllText(key));
        await using var harness = await ServerHarness.StartAsync(configure: o => o with { TlsCertificatePath = combined });
        var created = await harness.Codebases.CreateCodebaseAsync(new CreateCodebaseRequest { Name = "one-file" }, cancellationToken: Token);
        Assert.NotEmpty(created.Id);
    }

    [Fact]
    public async Task Tls_KeyOfAnotherCertificate_RefusedBeforeAnythingStarts()
    {
        using var files = new TempDirectory("agentfense-tls-");
        var (certificate, _) = WriteSelfSigned(files, "one");
        using var other = new TempDirectory("agentfense-tls-");
        var (_, otherKey) = WriteSelfSigned(other, "two");
        using var data = new TempDirectory("agentfense-tls-data-");
        var dataDirectory = Path.Combine(data.Path, "never-created");
        var e = await Assert.ThrowsAsync<FormatException>(() => AgentFenseServer.StartAsync(new ServerOptions
        {
            GrpcAddress = "127.0.0.1:0",
            HttpAddress = "127.0.0.1:0",
            DataDirectory = dataDirectory,
            InitPath = "/nonexistent/init",
            TlsCertificatePath = certificate,
            TlsKeyPath = otherKey,
        }, Token));
        Assert.Contains("tls: cannot load the certificate", e.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(dataDirectory));
    }

    [Fact]
    public void Load_CertificateWithoutKey_Refused()
    {
        using var files = new TempDirectory("agentfense-tls-");
        var (certificate, _) = WriteSelfSigned(files, "localhost");
        var e = Assert.Throws<FormatException>(() => TlsCertificates.Load(certificate, null));
        Assert.Contains(certificate, e.Message, StringComparison.Ordinal);
    }

    /// <summary>A self-signed ECDSA certificate for 127.0.0.1 as PEM files: (certificate, key).</summary>
    private static (string Certificate, string Key) WriteSelfSigned(TempDirectory directory, string name)
    {
        using var ecdsa = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", ecdsa, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddIpAddress(System.Net.IPAddress.Loopback);
        san.AddDnsName("localhost");
        request.CertificateExtensions.Add(san.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        return (directory.WriteFile("cert.pem", certificate.ExportCertificatePem()), directory.WriteFile("key.pem", ecdsa.ExportPkcs8PrivateKeyPem()));
    }
}
