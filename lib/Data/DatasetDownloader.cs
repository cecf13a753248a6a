namespace PruningLab.Data;

/// <summary>
/// Downloads one dataset file, trying each mirror in turn. The file appears under its final name
/// only after its checksum is verified (temp file + atomic rename), so an interrupted or corrupt
/// download can never be mistaken for good data on the next run.
/// </summary>
public sealed class DatasetDownloader
{
    private readonly HttpClient _client;
    private readonly TextWriter? _progress;

    /// <summary>Creates a downloader; <paramref name="progress"/> null means no progress bar.</summary>
    public DatasetDownloader(HttpClient client, TextWriter? progress = null)
    {
        _client = client;
        _progress = progress;
    }

    /// <summary>Synchronous <see cref="DownloadAsync"/> for notebooks and loaders.</summary>
    public string Download(DatasetFileEntry entry, string destinationDirectory, CancellationToken cancel = default) =>
        DownloadAsync(entry, destinationDirectory, cancel).GetAwaiter().GetResult();

    /// <summary>
    /// Downloads <paramref name="entry"/> into <paramref name="destinationDirectory"/> as <c>&lt;file&gt;.gz</c>
    /// and returns its path. Each mirror is tried until one delivers a file with the right checksum.
    /// </summary>
    /// <exception cref="DatasetException">No mirror delivered a verified file; lists every mirror's failure.</exception>
    public async Task<string> DownloadAsync(DatasetFileEntry entry, string destinationDirectory, CancellationToken cancel = default)
    {
        if (entry.Urls.Count == 0)
            throw new DatasetException(entry.FileName, $"{entry.FileName}: no download mirror is known for this file.");
        Directory.CreateDirectory(destinationDirectory);
        string finalPath = Path.Combine(destinationDirectory, entry.ArchiveName);
        var failures = new List<string>();
        foreach (string url in entry.Urls)
        {
            try
            {
                await DownloadOneAsync(entry, url, finalPath, cancel).ConfigureAwait(false);
                return finalPath;
            }
            catch (Exception e) when (!cancel.IsCancellationRequested)
            {
                failures.Add($"{url}: {e.Message}");
            }
        }
        throw new DatasetException(finalPath,
            $"{finalPath}: could not download {entry.ArchiveName} from any of {entry.Urls.Count} mirror(s):\n  " +
            string.Join("\n  ", failures) +
            "\nCheck the network connection and run again, or place a verified copy in the folder by hand.");
    }

    private async Task DownloadOneAsync(DatasetFileEntry entry, string url, string finalPath, CancellationToken cancel)
    {
        // Temp file in the same folder so the final File.Move is a rename on one file system (atomic).
        string temp = Path.Combine(Path.GetDirectoryName(finalPath)!, $"{entry.ArchiveName}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var response = await _client.GetAsync(url, HttpCompletionOption.ResponseHeadersRead, cancel).ConfigureAwait(false))
            {
                if (!response.IsSuccessStatusCode)
                    throw new HttpRequestException($"HTTP {(int)response.StatusCode} {response.ReasonPhrase}");
                var bar = new ProgressBar(_progress, entry.ArchiveName, response.Content.Headers.ContentLength, ProgressBar.Megabytes);
                await using var source = await response.Content.ReadAsStreamAsync(cancel).ConfigureAwait(false);
                await using var target = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: true);
                var buffer = new byte[1 << 16];
                long done = 0;
                int read;
                while ((read = await source.ReadAsync(buffer, cancel).ConfigureAwait(false)) > 0)
                {
                    await target.WriteAsync(buffer.AsMemory(0, read), cancel).ConfigureAwait(false);
                    done += read;
                    bar.Report(done);
                }
                bar.Finish(done);
            }

            byte[] fileBytes = await File.ReadAllBytesAsync(temp, cancel).ConfigureAwait(false);
            byte[] content = IdxFile.Decompress(fileBytes, url);
            entry.Verify(url, fileBytes, content, "The mirror served a damaged or different file; another mirror is tried, or run again later.");
            File.Move(temp, finalPath, overwrite: true);
        }
        finally
        {
            // Runs on success too, when the temp name no longer exists; on any failure it removes the partial file.
            try { File.Delete(temp); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }
}
