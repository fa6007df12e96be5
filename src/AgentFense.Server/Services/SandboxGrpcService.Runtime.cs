using AgentFense.Api.V1;
using static AgentFense.Server.Services.ApiMapping;

namespace AgentFense.Server.Services;

internal sealed partial class SandboxGrpcService
{
    /// <summary>
    /// The runtime and image of a new sandbox: the request's, else the server's defaults. A docker sandbox's
    /// image must exist on the daemon now (INVALID_ARGUMENT <c>IMAGE_NOT_FOUND</c>; nothing is pulled) and the
    /// daemon must answer (UNAVAILABLE <c>DOCKER_UNAVAILABLE</c>), so a sandbox that could never start is not made.
    /// </summary>
    private async Task<(RuntimeType Runtime, string Image)> ChooseRuntimeAsync(CreateSandboxRequest request, CancellationToken cancellationToken)
    {
        var runtime = request.Runtime switch
        {
            RuntimeType.Bwrap => RuntimeType.Bwrap,
            RuntimeType.Docker => RuntimeType.Docker,
            RuntimeType.Unspecified => string.Equals(options.DefaultRuntime, "docker", StringComparison.OrdinalIgnoreCase) ? RuntimeType.Docker : RuntimeType.Bwrap,
            _ => throw Invalid($"runtime {(int)request.Runtime} is not a runtime type (bwrap or docker)"),
        };
        if (runtime == RuntimeType.Bwrap)
        {
            if (request.Image.Length > 0)
                throw Invalid($"image '{request.Image}' was given for a bwrap sandbox; images are for the docker runtime");
            return (runtime, "");
        }
        var image = request.Image.Length > 0 ? request.Image : options.DefaultImage
            ?? throw Invalid("the request names no image and this server has no default image (AGENTFENSE_DEFAULT_IMAGE)", ApiErrors.ImageNotFound);
        if (image.Any(char.IsWhiteSpace) || image.Any(char.IsControl))
            throw Invalid($"image name '{image}' is not valid", ApiErrors.ImageNotFound);
        await manager.Docker.CheckImageAsync(image, cancellationToken);
        return (runtime, image);
    }
}
