namespace PruningLab.Data;

/// <summary>Full dataset, or the small committed sample that works offline and in seconds.</summary>
public enum DatasetSize
{
    /// <summary>Every image of the split.</summary>
    Full,
    /// <summary>The balanced sample in <c>datasets/sample/</c> (2,000 train / 500 test for Fashion-MNIST).</summary>
    Sample,
}
