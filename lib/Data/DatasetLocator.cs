namespace PruningLab.Data;

/// <summary>A dataset file that was found (or downloaded), verified and decoded.</summary>
/// <param name="Path">The file that was read (system files are read in place).</param>
/// <param name="Origin">Which search location supplied it.</param>
/// <param name="Data">The decoded IDX content.</param>
public sealed record LocatedFile(string Path, DataOrigin Origin, IdxData Data);

/// <summary>
/// Finds a dataset file: user directory, then cache, then system directories, then the mirrors.
/// A damaged file is an error rather than a reason to look further, so a bad copy is noticed and
/// fixed instead of silently shadowing (or being shadowed by) a good one.
/// </summary>
public static class DatasetLocator
{
    private static readonly Lazy<HttpClient> DefaultClient = new(() => new HttpClient { Timeout = TimeSpan.FromMinutes(10) });

    /// <summary>Searches the locations of <paramref name="options"/> and downloads into the cache as a last resort.</summary>
    /// <exception cref="DatasetException">The file is damaged, or missing and could not be downloaded.</exception>
    public static LocatedFile Open(DatasetInfo dataset, DatasetFileEntry entry, DatasetSearchOptions options)
    {
        var locations = options.LocationsFor(dataset);
        Func<string>? download = null;
        if (options.AllowDownload && entry.Urls.Count > 0)
        {
            download = () =>
            {
                using var client = options.HttpHandler is { } handler
                    ? new HttpClient(handler, disposeHandler: false)
                    : null;
                var writer = options.Quiet ? null : options.ProgressWriter ?? ProgressBar.Terminal;
                return new DatasetDownloader(client ?? DefaultClient.Value, writer)
                    .Download(entry, Path.Combine(options.CacheDirectory, dataset.Name));
            };
        }
        return Open(dataset.DisplayName, entry, locations, download, dataset.NotFoundHelp);
    }

    /// <summary>
    /// Searches <paramref name="locations"/> in order for <c>&lt;file&gt;.gz</c> or the raw file; if none has it,
    /// calls <paramref name="download"/> (when given) and reads what it returns.
    /// </summary>
    public static LocatedFile Open(string datasetName, DatasetFileEntry entry, IReadOnlyList<SearchLocation> locations,
        Func<string>? download, string notFoundHelp)
    {
        foreach (var location in locations)
            foreach (string name in new[] { entry.ArchiveName, entry.FileName })
            {
                string path = Path.Combine(location.Directory, name);
                if (File.Exists(path)) return ReadVerified(path, entry, location.Origin, location.Fix);
            }

        string searched = string.Join(", ", locations.Select(l => l.Directory));
        if (download is null)
            throw new DatasetException(entry.FileName,
                $"{datasetName}: {entry.ArchiveName} was not found (searched: {searched}) and downloading is off. {notFoundHelp}");
        string downloaded;
        try
        {
            downloaded = download();
        }
        catch (DatasetException e)
        {
            throw new DatasetException(e.FilePath,
                $"{datasetName}: {entry.ArchiveName} was not found locally (searched: {searched}) and the download failed.\n{e.Message}\n{notFoundHelp}", e);
        }
        return ReadVerified(downloaded, entry, DataOrigin.Downloaded, "Delete it and run again to re-download.");
    }

    /// <summary>Reads <paramref name="path"/>, checks its hashes against <paramref name="entry"/> and decodes it.</summary>
    public static LocatedFile ReadVerified(string path, DatasetFileEntry entry, DataOrigin origin, string fix)
    {
        byte[] fileBytes = File.ReadAllBytes(path);
        byte[] content = IdxFile.Decompress(fileBytes, path);
        entry.Verify(path, fileBytes, content, fix);
        return new LocatedFile(path, origin, IdxFile.Parse(content, path));
    }
}
