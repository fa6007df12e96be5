using Grpc.Health.V1;
using Grpc.Reflection.V1Alpha;

namespace AgentFense.Server.Tests;

/// <summary>The standard gRPC health and reflection services (grpcurl, load balancers).</summary>
public sealed class HealthAndReflectionTests
{
    private static CancellationToken Token => ServerHarness.Token;

    [Fact]
    public async Task Health_Check_Serving()
    {
        await using var harness = await ServerHarness.StartAsync();
        var health = new Health.HealthClient(harness.Channel);
        var reply = await health.CheckAsync(new HealthCheckRequest(), cancellationToken: Token);
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, reply.Status);
    }

    [Fact]
    public async Task Reflection_ListsBothServices_AndResolvesTheirFiles()
    {
        await using var harness = await ServerHarness.StartAsync();
        var reflection = new ServerReflection.ServerReflectionClient(harness.Channel);
        using var call = reflection.ServerReflectionInfo(cancellationToken: Token);
        await call.RequestStream.WriteAsync(new ServerReflectionRequest { ListServices = "" }, Token);
        Assert.True(await call.ResponseStream.MoveNext(Token));
        var services = call.ResponseStream.Current.ListServicesResponse.Service.Select(s => s.Name).ToList();
        Assert.Contains("sandbox.v1.SandboxService", services);
        Assert.Contains("sandbox.v1.CodebaseService", services);

        await call.RequestStream.WriteAsync(new ServerReflectionRequest { FileContainingSymbol = "sandbox.v1.SandboxService" }, Token);
        Assert.True(await call.ResponseStream.MoveNext(Token));
        Assert.NotEmpty(call.ResponseStream.Current.FileDescriptorResponse.FileDescriptorProto);
        await call.RequestStream.CompleteAsync();
    }
}
