namespace PruningLab.Data;

/// <summary>Everything the loaders need to know about one dataset: files, classes, statistics, provenance.</summary>
/// <param name="Name">Folder name used under cache directories, e.g. <c>fashion-mnist</c>.</param>
/// <param name="DisplayName">Human name for messages.</param>
/// <param name="ClassNames">Label index → class name.</param>
/// <param name="Mean">Mean pixel value (in 0..1) of the full training set, used for normalisation.</param>
/// <param name="Std">Pixel standard deviation of the full training set.</param>
/// <param name="Licence">Licence and copyright holder.</param>
/// <param name="TrainImages">Training images file.</param>
/// <param name="TrainLabels">Training labels file.</param>
/// <param name="TestImages">Test images file.</param>
/// <param name="TestLabels">Test labels file.</param>
/// <param name="SystemDirectories">Read-only directories (e.g. a Debian package) searched before downloading.</param>
/// <param name="SystemFix">What to do when a file in a system directory is damaged.</param>
/// <param name="NotFoundHelp">Extra advice when the dataset cannot be found or downloaded.</param>
public sealed record DatasetInfo(
    string Name, string DisplayName, IReadOnlyList<string> ClassNames, float Mean, float Std, string Licence,
    DatasetFileEntry TrainImages, DatasetFileEntry TrainLabels, DatasetFileEntry TestImages, DatasetFileEntry TestLabels,
    IReadOnlyList<string> SystemDirectories, string SystemFix, string NotFoundHelp)
{
    /// <summary>The images and labels files of <paramref name="split"/> (validation images come from the training files).</summary>
    public (DatasetFileEntry Images, DatasetFileEntry Labels) Files(Split split) =>
        split == Split.Test ? (TestImages, TestLabels) : (TrainImages, TrainLabels);

    /// <summary>All four files, train first.</summary>
    public IEnumerable<DatasetFileEntry> AllFiles => [TrainImages, TrainLabels, TestImages, TestLabels];
}
