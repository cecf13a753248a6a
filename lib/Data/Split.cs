namespace PruningLab.Data;

/// <summary>
/// Which part of a dataset to load. The official training images are split in two, the same way on every machine
/// (see <see cref="ValidationSplit"/>): <see cref="Train"/> to fit weights and <see cref="Validation"/> to make
/// choices (sparsities, hyperparameters, which method wins). <see cref="Test"/> only reports.
/// </summary>
public enum Split
{
    /// <summary>The official training images less the validation ones (55,000 of 60,000 in full MNIST-family sets).</summary>
    Train,
    /// <summary>The held-out test images (10,000 in full sets): report on them, never choose with them.</summary>
    Test,
    /// <summary>One twelfth of the official training images, the same number from every class (5,000 in full sets).</summary>
    Validation,
}
