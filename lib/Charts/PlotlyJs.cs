namespace PruningLab.Charts;

/// <summary>The plotly.js library that ships inside Plotly.NET.dll, so charts work offline without a CDN.</summary>
public static class PlotlyJs
{
    /// <summary>The plotly.js version bundled with Plotly.NET 6.0.0.</summary>
    public const string Version = "2.28.0";

    /// <summary>Manifest-resource name of the minified library inside Plotly.NET.dll.</summary>
    public const string ResourceName = "Plotly.NET.plotly-" + Version + ".min.js";

    // Lazy: read the ~3.6 MB resource once, thread-safely, and only when a chart is actually rendered.
    private static readonly Lazy<string> Source = new(Load);

    /// <summary>The full minified plotly.js source.</summary>
    public static string Text => Source.Value;

    private static string Load()
    {
        var assembly = typeof(Plotly.NET.GenericChart).Assembly;
        using var stream = assembly.GetManifestResourceStream(ResourceName)
            ?? throw new InvalidOperationException(
                $"Resource '{ResourceName}' not found in {assembly.GetName()}; available: " +
                string.Join(", ", assembly.GetManifestResourceNames()));
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
