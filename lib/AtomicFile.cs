using System.Text;

namespace PruningLab;

/// <summary>
/// Writes files so that a reader never sees half of one: the content goes to a temporary sibling, which then
/// replaces the target in one rename. An interrupted write leaves the old file (or none), never a truncated one.
/// </summary>
public static class AtomicFile
{
    /// <summary>Writes <paramref name="write"/>'s output to <paramref name="path"/> atomically, creating the folder.</summary>
    /// <param name="path">The file.</param>
    /// <param name="write">Writes the content.</param>
    /// <param name="mode">Unix permissions for the new file (e.g. those of the file it replaces); the default if null.</param>
    /// <returns>The full path written.</returns>
    public static string Write(string path, Action<Stream> write, UnixFileMode? mode = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(write);
        var full = Path.GetFullPath(path);
        var dir = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(dir);
        var temp = Path.Combine(dir, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            if (mode is { } permissions && !OperatingSystem.IsWindows()) File.SetUnixFileMode(temp, permissions);
            File.Move(temp, full, overwrite: true);
        }
        finally
        {
            if (File.Exists(temp)) File.Delete(temp);
        }
        return full;
    }

    /// <summary>Writes <paramref name="text"/> as UTF-8 (no byte-order mark) to <paramref name="path"/> atomically.</summary>
    public static string WriteAllText(string path, string text) =>
        Write(path, stream => stream.Write(new UTF8Encoding(encoderShouldEmitUTF8Identifier: false).GetBytes(text)));

    /// <summary>Writes <paramref name="bytes"/> to <paramref name="path"/> atomically.</summary>
    public static string WriteAllBytes(string path, byte[] bytes) => Write(path, stream => stream.Write(bytes));
}
