namespace PruningLab.Data;

/// <summary>Fashion-MNIST, the course's default dataset: 28×28 greyscale clothing images in ten classes.</summary>
public static class FashionMnist
{
    /// <summary>The catalogue entry (files, hashes, class names, normalisation).</summary>
    public static DatasetInfo Info => DatasetCatalogue.FashionMnist;

    /// <summary>
    /// Loads a split. <see cref="DatasetSize.Full"/> searches PRUNINGLAB_DATA, the cache, Debian's
    /// package, then downloads; <see cref="DatasetSize.Sample"/> reads the committed sample and works offline.
    /// </summary>
    /// <exception cref="DatasetException">Files are missing, damaged or cannot be downloaded.</exception>
    public static ImageDataset Load(Split split, DatasetSize size = DatasetSize.Full, DatasetSearchOptions? options = null)
    {
        if (size == DatasetSize.Full) return DatasetLoader.Load(Info, split, options);
        var sample = DatasetCatalogue.FashionMnistSample;
        string? root = CoursePaths.SampleRoot
            ?? throw new DatasetException(null, $"{sample.DisplayName}: the repository root (a folder with {CoursePaths.MarkerFile}) was not found. {sample.NotFoundHelp}");
        return DatasetLoader.LoadFromDirectory(sample, split, Path.Combine(root, "fashion-mnist"), DataOrigin.Sample);
    }
}
