namespace PruningLab.Data;

/// <summary>Which half of a dataset to load.</summary>
public enum Split
{
    /// <summary>The training images (60,000 in full MNIST-family sets).</summary>
    Train,
    /// <summary>The held-out test images (10,000 in full sets).</summary>
    Test,
}
