namespace PruningLab.Data;

/// <summary>
/// The three splits the lessons work with: <see cref="Train"/> to fit weights, <see cref="Validation"/> to choose
/// (sparsities, hyperparameters, which method wins), <see cref="Test"/> only to report.
/// </summary>
public sealed class CourseData : IDisposable
{
    private CourseData(ImageDataset train, ImageDataset validation, ImageDataset test)
    {
        Train = train;
        Validation = validation;
        Test = test;
    }

    /// <summary>Images the weights are fitted on.</summary>
    public ImageDataset Train { get; }
    /// <summary>Images choices are made on (carved from the official training set, see <see cref="ValidationSplit"/>).</summary>
    public ImageDataset Validation { get; }
    /// <summary>Images results are reported on; never used to choose.</summary>
    public ImageDataset Test { get; }

    /// <summary>Fashion-MNIST's three splits: 55,000 / 5,000 / 10,000 images, or the committed sample.</summary>
    public static CourseData FashionMnist(DatasetSize size = DatasetSize.Full) =>
        new(Data.FashionMnist.Load(Split.Train, size), Data.FashionMnist.Load(Split.Validation, size), Data.FashionMnist.Load(Split.Test, size));

    /// <summary>Three splits of your own (a small synthetic set for a test, another dataset); the result owns them.</summary>
    public static CourseData Of(ImageDataset train, ImageDataset validation, ImageDataset test)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(validation);
        ArgumentNullException.ThrowIfNull(test);
        return new(train, validation, test);
    }

    /// <summary>One line: how many images each split holds.</summary>
    public override string ToString() =>
        $"{Train.Name}: {Train.Count:N0} images · {Validation.Name}: {Validation.Count:N0} · {Test.Name}: {Test.Count:N0}";

    /// <inheritdoc/>
    public void Dispose()
    {
        Train.Dispose();
        Validation.Dispose();
        Test.Dispose();
    }
}
