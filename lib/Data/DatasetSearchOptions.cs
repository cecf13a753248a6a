namespace PruningLab.Data;

/// <summary>
/// Where to look for dataset files and how to download them. Defaults come from the environment;
/// tests set every property explicitly so the machine's setup cannot leak in.
/// </summary>
public sealed class DatasetSearchOptions
{
    /// <summary>First-priority directory; files are looked up in <c>&lt;dir&gt;/&lt;dataset&gt;/</c>. Default: <c>PRUNINGLAB_DATA</c>.</summary>
    public string? DataDirectory { get; init; } = Environment.GetEnvironmentVariable("PRUNINGLAB_DATA") is { Length: > 0 } d ? d : null;

    /// <summary>Cache root; files live in <c>&lt;root&gt;/&lt;dataset&gt;/</c>. Default: <see cref="CoursePaths.DatasetCache"/>.</summary>
    public string CacheDirectory { get; init; } = CoursePaths.DatasetCache;

    /// <summary>Read-only directories to search after the cache; null means the dataset's own (e.g. Debian's).</summary>
    public IReadOnlyList<string>? SystemDirectories { get; init; }

    /// <summary>Whether to download from the mirrors when nothing is found locally.</summary>
    public bool AllowDownload { get; init; } = true;

    /// <summary>Handler for downloads (tests pass a fake); null uses a normal <see cref="HttpClient"/>.</summary>
    public HttpMessageHandler? HttpHandler { get; init; }

    /// <summary>Suppresses the download progress bar.</summary>
    public bool Quiet { get; init; }

    /// <summary>Where progress goes; null means stderr, and then only when stderr is a terminal.</summary>
    public TextWriter? ProgressWriter { get; init; }

    /// <summary>The directories searched for <paramref name="dataset"/>, in order.</summary>
    public IReadOnlyList<SearchLocation> LocationsFor(DatasetInfo dataset)
    {
        var list = new List<SearchLocation>();
        if (DataDirectory is not null)
            list.Add(new(Path.Combine(DataDirectory, dataset.Name), DataOrigin.UserDirectory,
                "It came from PRUNINGLAB_DATA; replace it with a good copy or delete it so the next location is used."));
        list.Add(new(Path.Combine(CacheDirectory, dataset.Name), DataOrigin.Cache, "Delete it and run again to re-download."));
        foreach (string dir in SystemDirectories ?? dataset.SystemDirectories)
            list.Add(new(dir, DataOrigin.System, dataset.SystemFix));
        return list;
    }
}
