namespace PruningLab.Data;

/// <summary>
/// The three splits the lessons work with: <see cref="Train"/> to fit weights, <see cref="Validation"/> to choose
/// (sparsities, hyperparameters, which method wins), <see cref="Test"/> only to report.
/// </summary>
public sealed class CourseData : IDisposable
{
    private readonly ImageDataset? test;
    private readonly bool ownsSplits;

    private CourseData(ImageDataset train, ImageDataset validation, ImageDataset? test, bool ownsSplits = true)
    {
        Train = train;
        Validation = validation;
        this.test = test;
        this.ownsSplits = ownsSplits;
    }

    /// <summary>Images the weights are fitted on.</summary>
    public ImageDataset Train { get; }
    /// <summary>Images choices are made on (carved from the official training set, see <see cref="ValidationSplit"/>).</summary>
    public ImageDataset Validation { get; }
    /// <summary>Images results are reported on; never used to choose.</summary>
    /// <exception cref="InvalidOperationException">This is a copy made by <see cref="WithoutTest"/>.</exception>
    public ImageDataset Test => test ?? throw new InvalidOperationException(
        "This copy of the data has no test split: it is kept for the final measurement (a grader's, in exercise 9.1). Make every choice on Validation.");

    /// <summary>
    /// The training and validation splits without the test split, for code that must not see it (a learner's
    /// compression, graded on the test split afterwards). It shares the splits and does not own them.
    /// </summary>
    public CourseData WithoutTest() => new(Train, Validation, null, ownsSplits: false);

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
        $"{Train.Name}: {Train.Count:N0} images · {Validation.Name}: {Validation.Count:N0} · " +
        (test is null ? "no test split" : $"{test.Name}: {test.Count:N0}");

    /// <inheritdoc/>
    public void Dispose()
    {
        if (!ownsSplits) return;
        Train.Dispose();
        Validation.Dispose();
        test?.Dispose();
    }
}
