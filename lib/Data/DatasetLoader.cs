namespace PruningLab.Data;

/// <summary>Shared plumbing of <see cref="FashionMnist"/> and <see cref="Mnist"/>: locate both files, verify, build tensors.</summary>
public static class DatasetLoader
{
    /// <summary>Loads <paramref name="split"/> of <paramref name="dataset"/> using the search order of <paramref name="options"/>.</summary>
    public static ImageDataset Load(DatasetInfo dataset, Split split, DatasetSearchOptions? options = null)
    {
        options ??= new DatasetSearchOptions();
        var (imagesEntry, labelsEntry) = dataset.Files(split);
        var images = DatasetLocator.Open(dataset, imagesEntry, options);
        var labels = DatasetLocator.Open(dataset, labelsEntry, options);
        return Build(dataset, split, images, labels);
    }

    /// <summary>Loads <paramref name="split"/> from one folder only (used for the committed sample); never downloads.</summary>
    public static ImageDataset LoadFromDirectory(DatasetInfo dataset, Split split, string directory, DataOrigin origin)
    {
        var location = new SearchLocation(directory, origin, dataset.SystemFix);
        var (imagesEntry, labelsEntry) = dataset.Files(split);
        var images = DatasetLocator.Open(dataset.DisplayName, imagesEntry, [location], null, dataset.NotFoundHelp);
        var labels = DatasetLocator.Open(dataset.DisplayName, labelsEntry, [location], null, dataset.NotFoundHelp);
        return Build(dataset, split, images, labels);
    }

    private static ImageDataset Build(DatasetInfo dataset, Split split, LocatedFile images, LocatedFile labels)
    {
        var name = $"{dataset.DisplayName} {split.ToString().ToLowerInvariant()}";
        var all = ImageDataset.FromIdx(images.Data, labels.Data, dataset.Mean, dataset.Std, dataset.ClassNames, name);
        if (split == Split.Test) return all;
        using (all)
        {
            var (train, validation) = ValidationSplit.Indices(labels.Data.Data);
            return all.Rows(split == Split.Train ? train : validation, name);
        }
    }
}
