#pragma once

// Work in progress: curvesview
