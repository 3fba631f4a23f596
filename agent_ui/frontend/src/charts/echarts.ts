// Only the ECharts pieces the supervisor screens draw; imported lazily by those routes alone.
import * as echarts from 'echarts/core'
import { BarChart, LineChart, PieChart, TreemapChart } from 'echarts/charts'
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components'
import { CanvasRenderer } from 'echarts/renderers'

echarts.use([BarChart, LineChart, PieChart, TreemapChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer])

export { echarts }
