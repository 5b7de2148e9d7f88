#pragma once

#include "data/columnprofile.h"

#include <memory>
#include <string_view>

namespace kiln {

/// Streams one column's values and infers its type and statistics in one pass with bounded
/// memory. Not thread-safe; one per column, owned by the import that feeds it.
class ColumnProfiler final
{
public:
    explicit ColumnProfiler(QString name);
    ~ColumnProfiler();
    ColumnProfiler(ColumnProfiler &&) noexcept;
    ColumnProfiler &operator=(ColumnProfiler &&) noexcept;

    void add(std::string_view utf8);
    ColumnProfile finish() const;

private:
    struct State;
    std::unique_ptr<State> d;
};

} // namespace kiln
