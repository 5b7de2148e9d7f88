#pragma once

// Work in progress: metricoverlayview
