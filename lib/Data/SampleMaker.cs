namespace PruningLab.Data;

/// <summary>
/// Makes the committed, class-balanced sample of an MNIST-family dataset. Re-running it on the same
/// full files gives byte-identical IDX content, which is what the catalogue's sample hashes check.
/// </summary>
public static class SampleMaker
{
    /// <summary>Seed of the committed sample; changing it changes the sample and its catalogue hashes.</summary>
    public const int DefaultSeed = 20240601;

    /// <summary>
    /// Reads the four full files (<c>.gz</c> or raw) from <paramref name="sourceDirectory"/> and writes
    /// gzip IDX files with <paramref name="trainPerClass"/>/<paramref name="testPerClass"/> images per class
    /// into <paramref name="outputDirectory"/>. Returns the paths written.
    /// </summary>
    public static IReadOnlyList<string> Write(string sourceDirectory, string outputDirectory,
        int trainPerClass = 200, int testPerClass = 50, int seed = DefaultSeed, int classCount = 10)
    {
        Directory.CreateDirectory(outputDirectory);
        var written = new List<string>();
        foreach (var (prefix, perClass) in new[] { ("train", trainPerClass), ("t10k", testPerClass) })
        {
            var images = IdxFile.Read(Find(sourceDirectory, $"{prefix}-images-idx3-ubyte"));
            var labels = IdxFile.Read(Find(sourceDirectory, $"{prefix}-labels-idx1-ubyte"));
            int[] rows = Choose(labels.Data, perClass, seed, classCount);

            int pixels = images.Data.Length / images.Count;
            var imageBytes = new byte[rows.Length * pixels];
            var labelBytes = new byte[rows.Length];
            for (int i = 0; i < rows.Length; i++)
            {
                Array.Copy(images.Data, (long)rows[i] * pixels, imageBytes, (long)i * pixels, pixels);
                labelBytes[i] = labels.Data[rows[i]];
            }

            string imagesOut = Path.Combine(outputDirectory, $"{prefix}-images-idx3-ubyte.gz");
            string labelsOut = Path.Combine(outputDirectory, $"{prefix}-labels-idx1-ubyte.gz");
            IdxFile.Write(imagesOut, [rows.Length, .. images.Dimensions[1..]], imageBytes, gzip: true);
            IdxFile.Write(labelsOut, [rows.Length], labelBytes, gzip: true);
            written.Add(imagesOut);
            written.Add(labelsOut);
        }
        return written;
    }

    /// <summary>
    /// Picks <paramref name="perClass"/> rows of each class: shuffle each class's rows with one seeded
    /// generator, take the first ones, then sort so the sample keeps the original interleaving of classes.
    /// </summary>
    public static int[] Choose(byte[] labels, int perClass, int seed, int classCount)
    {
        var random = new Random(seed);
        var chosen = new List<int>();
        for (int c = 0; c < classCount; c++)
        {
            int[] rows = [.. Enumerable.Range(0, labels.Length).Where(i => labels[i] == c)];
            if (rows.Length < perClass)
                throw new ArgumentException($"Class {c} has only {rows.Length} images; {perClass} requested.", nameof(perClass));
            random.Shuffle(rows);
            chosen.AddRange(rows.Take(perClass));
        }
        chosen.Sort();
        return [.. chosen];
    }

    private static string Find(string directory, string name) =>
        File.Exists(Path.Combine(directory, name + ".gz")) ? Path.Combine(directory, name + ".gz")
        : File.Exists(Path.Combine(directory, name)) ? Path.Combine(directory, name)
        : throw new DatasetException(Path.Combine(directory, name),
            $"{Path.Combine(directory, name)}(.gz): expected the full dataset file here, found nothing. Install dataset-fashion-mnist or point sourceDirectory at the full files.");
}
