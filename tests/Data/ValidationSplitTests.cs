using PruningLab.Data;

namespace PruningLab.Tests.Data;

public class ValidationSplitTests
{
    [Fact]
    public void A_twelfth_of_every_class_goes_to_validation_the_same_way_every_time()
    {
        // 3 classes of 24, 12 and 7 images (every third image, then the rest): validation takes 2, 1 and round(7/12) = 1.
        var labels = Enumerable.Range(0, 43).Select(i => (byte)(i < 36 ? i % 3 == 0 ? 1 : 0 : 2)).ToArray();
        var (train, validation) = ValidationSplit.Indices(labels);
        Assert.Equal(4, validation.Length);
        Assert.Equal(39, train.Length);
        Assert.Equal([2, 1, 1], validation.GroupBy(i => labels[i]).OrderBy(g => g.Key).Select(g => g.Count()));
        Assert.Empty(train.Intersect(validation));
        Assert.Equal(Enumerable.Range(0, 43).Select(i => (long)i), train.Concat(validation).Order());
        Assert.Equal(train.Order(), train);
        Assert.Equal(validation.Order(), validation);
        Assert.Equal(validation, ValidationSplit.Indices(labels).Validation);
    }

    [Fact]
    public void The_sample_splits_are_disjoint_and_balanced()
    {
        using var train = FashionMnist.Load(Split.Train, DatasetSize.Sample);
        using var validation = FashionMnist.Load(Split.Validation, DatasetSize.Sample);
        Assert.All(validation.ClassCounts(), n => Assert.Equal(17, n));
        Assert.All(train.ClassCounts(), n => Assert.Equal(183, n));
        // No image of the validation split is also a training image (compared pixel for pixel).
        using var trainFlat = train.Images.flatten(1);
        using var validationFlat = validation.Images.flatten(1);
        using var distances = TorchSharp.torch.cdist(validationFlat, trainFlat);
        Assert.True(distances.min().item<float>() > 0, "a validation image also appears in the training split");
        Assert.Equal("Fashion-MNIST sample validation", validation.Name);
    }
}
