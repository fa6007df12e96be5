namespace AgentFense.Runtime.Boxes;

/// <summary>The image a box was asked to start from does not exist where the runtime looks (nothing is pulled implicitly).</summary>
public sealed class BoxImageNotFoundException : BoxException
{
    /// <summary>Creates the exception for <paramref name="image"/>.</summary>
    public BoxImageNotFoundException(string image, string message, Exception? inner = null)
        : base(message, inner)
    {
        Image = image;
    }

    /// <summary>The image that was asked for.</summary>
    public string Image { get; }
}
