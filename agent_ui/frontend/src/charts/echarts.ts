// Only the ECharts pieces the supervisor screens draw; imported lazily by those routes alone.
import * as echarts from 'echarts/core'
import { BarChart, LineChart, PieChart } from 'echarts/charts'
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components'
import { CanvasRenderer } from 'echarts/renderers'

echarts.use([BarChart, LineChart, PieChart, GridComponent, LegendComponent, TooltipComponent, CanvasRenderer])

// Test hook: browser tests read a chart's live option and geometry through ECharts' own API
// (``window.__echarts.getInstanceByDom(el)``), since a canvas has no DOM to query.
;(window as unknown as { __echarts?: Pick<typeof echarts, 'getInstanceByDom'> }).__echarts = {
  getInstanceByDom: echarts.getInstanceByDom,
}

export { echarts }
