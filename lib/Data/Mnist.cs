namespace PruningLab.Data;

/// <summary>
/// Classic MNIST digits, for comparison with the literature. No Debian package and no committed
/// sample exist, so it is always downloaded into the cache on first use.
/// </summary>
public static class Mnist
{
    /// <summary>The catalogue entry (files, hashes, class names, normalisation).</summary>
    public static DatasetInfo Info => DatasetCatalogue.Mnist;

    /// <summary>Loads a split from PRUNINGLAB_DATA or the cache, downloading it if needed.</summary>
    /// <exception cref="DatasetException">Files are damaged or cannot be downloaded (the message suggests Fashion-MNIST).</exception>
    public static ImageDataset Load(Split split, DatasetSearchOptions? options = null) => DatasetLoader.Load(Info, split, options);
}
