namespace PruningLab.Data;

/// <summary>
/// One file of a dataset as the catalogue knows it. Two hashes because the same IDX content can
/// arrive in differently compressed archives (Debian re-gzipped Fashion-MNIST), so a match of
/// either the decompressed content or the official archive proves the data is right.
/// </summary>
/// <param name="FileName">Base name without <c>.gz</c>, e.g. <c>train-images-idx3-ubyte</c>.</param>
/// <param name="ContentSha256">SHA-256 of the decompressed IDX bytes, or null if unknown.</param>
/// <param name="ArchiveSha256">SHA-256 of the official <c>.gz</c> archive, or null if unknown.</param>
/// <param name="ContentLength">Length of the decompressed IDX bytes, or null if unknown.</param>
/// <param name="Urls">Download mirrors in the order they are tried (empty: not downloadable).</param>
public sealed record DatasetFileEntry(
    string FileName, string? ContentSha256, string? ArchiveSha256, long? ContentLength, IReadOnlyList<string> Urls)
{
    /// <summary>Name of the compressed file as stored on mirrors and in the cache.</summary>
    public string ArchiveName => FileName + ".gz";

    /// <summary>
    /// Throws unless the file bytes match <see cref="ArchiveSha256"/> or the decompressed bytes match
    /// <see cref="ContentSha256"/>. <paramref name="fix"/> tells the reader what to do about a mismatch.
    /// </summary>
    /// <exception cref="DatasetException">Neither hash matches (or none is known).</exception>
    public void Verify(string path, byte[] fileBytes, byte[] content, string fix)
    {
        string fileHash = Checksums.Sha256Hex(fileBytes);
        if (Checksums.Same(ArchiveSha256, fileHash)) return;
        string contentHash = ReferenceEquals(fileBytes, content) ? fileHash : Checksums.Sha256Hex(content);
        if (Checksums.Same(ContentSha256, contentHash)) return;

        string expected = (ContentSha256, ArchiveSha256) switch
        {
            (null, null) => "a known SHA-256 (the catalogue has none for this file, so it cannot be trusted)",
            ({ } c, null) => $"content SHA-256 {c}",
            (null, { } a) => $"archive SHA-256 {a}",
            ({ } c, { } a) => $"content SHA-256 {c} or archive SHA-256 {a}",
        };
        throw new DatasetException(path,
            $"{path}: checksum mismatch for {FileName}. Expected {expected}; found content SHA-256 {contentHash} " +
            $"({content.Length:N0} bytes decompressed) and file SHA-256 {fileHash}. {fix}");
    }
}
